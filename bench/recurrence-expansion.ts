/**
 * What one bounded recurrence expansion costs in time: every rule of the
 * adversarial set that the grammar accepts, from every anchor, after a warm-up
 * pass. The budget is a count (tasks/bounded-expansion.ts); this measures what
 * the count is worth on this machine, as CPU time (process.cpuUsage, so that
 * other processes on a shared machine do not count) and as wall time.
 * Target: the slowest expansion ≤ 50 ms of CPU.
 *
 *   npx tsx bench/recurrence-expansion.ts
 */
import { loadavg } from "node:os";
import { nextOccurrence } from "../tasks/recurrence.js";
import { acceptedAdversarialRules, ANCHORS } from "../tasks/adversarial-rules.js";
import { median, quantile } from "./stats.js";

const accepted = acceptedAdversarialRules();

function timeAll(): { rule: string; ms: number; wallMs: number }[] {
  return accepted.flatMap((rule) =>
    ANCHORS.map((dueAt) => {
      const started = performance.now();
      const cpu = process.cpuUsage();
      nextOccurrence({ rule, dueAt, occurrence: 1 });
      const { user, system } = process.cpuUsage(cpu);
      return { rule, ms: (user + system) / 1000, wallMs: performance.now() - started };
    }),
  );
}

const load = loadavg()[0]!.toFixed(1);
timeAll(); // warm-up: JIT and rrule's caches
const samples = timeAll();
const ms = samples.map((s) => s.ms);
const slowest = samples.reduce((a, b) => (b.ms > a.ms ? b : a));
console.log(`${samples.length} expansions of ${accepted.length} adversarial rules (load average ${load} before the run)`);
const wall = samples.map((s) => s.wallMs);
console.log(`CPU: median ${median(ms).toFixed(2)} ms, p99 ${quantile(ms, 0.99).toFixed(2)} ms, max ${slowest.ms.toFixed(2)} ms (${slowest.rule})`);
console.log(`wall: median ${median(wall).toFixed(2)} ms, p99 ${quantile(wall, 0.99).toFixed(2)} ms, max ${Math.max(...wall).toFixed(2)} ms`);
process.exitCode = slowest.ms <= 50 ? 0 : 1;
