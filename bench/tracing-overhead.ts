/**
 * What tracing costs a delivery when OTEL_EXPORTER_OTLP_ENDPOINT is unset: the
 * subscriber route's whole work (parse, CloudEvent check, schema, unit of work
 * stubbed, onTaskCompleted's handler on a non-recurring task, reply) with the
 * context-only tracer, against the same with a tracer that does nothing at all
 * (one constant span: no traceparent parsed, nothing passed on). In process, no
 * HTTP and no database, so the difference is not lost in their noise. Rounds
 * alternate, each starting with the other variant; as the two halves of a round
 * run back to back, the ratio of each round is its own comparison under the same
 * machine conditions, and the median of those ratios with its quartiles is what
 * it prints. With tracing off the database runs statements on the same path as
 * without tracing code (runtime/database.ts), so it is left out.
 * `npx tsx bench/tracing-overhead.ts` (about a minute; BENCH_ROUNDS to change it).
 */
import { loadavg } from "node:os";
import { pino } from "pino";
import { onTaskCompleted } from "../functions/on-task-completed/definition.js";
import { createOnTaskCompletedHandler } from "../functions/on-task-completed/handler.js";
import type { FunctionRuntime } from "../runtime/app.js";
import { buildCloudEvent } from "../runtime/cloud-event.js";
import { createEventDelivery } from "../runtime/topic-trigger.js";
import { contextOnlyTracer, type Span, type Tracer } from "../runtime/tracing.js";
import type { UnitOfWork } from "../runtime/unit-of-work.js";
import { taskfnEvent } from "../tasks/events.js";
import { quantile, spread } from "./stats.js";

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 30);
const PER_ROUND = 10_000;

const uow: UnitOfWork = {
  run: () => Promise.reject(new Error("not used")),
  async runOnce(_consumer, _eventId, _trace, work) {
    await work({} as never, () => {});
    return "processed";
  },
};
const constantSpan: Span = { traceId: "0".repeat(32), context: { traceparent: "" }, fail: () => {}, end: () => {} };
const noTracer: Tracer = { startSpan: () => constantSpan, withSpan: (_span, work) => work(), shutdown: async () => {} };

const now = new Date().toISOString();
const task = {
  id: "9b2f6a4e-1d3c-4f5a-8b7e-2c1d0e9f8a7b",
  userId: "alice",
  title: "t",
  description: null,
  priority: "medium" as const,
  tags: [],
  dueAt: null,
  remindAt: null,
  recurrence: null,
  seriesId: "9b2f6a4e-1d3c-4f5a-8b7e-2c1d0e9f8a7b",
  occurrence: 1,
  completed: true,
  completedAt: now,
  createdAt: now,
  updatedAt: now,
};
const body = JSON.stringify({
  ...buildCloudEvent(taskfnEvent("task.completed", task.id, task.userId, task), "/taskfn/completeTask"),
  traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
  traceid: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
  tracestate: "",
  pubsubname: "pubsub",
  topic: "tasks",
});

const log = pino({ level: "silent" });
const handler = createOnTaskCompletedHandler({} as FunctionRuntime);
const variants = {
  "context-only tracer (as shipped, OTLP off)": createEventDelivery(onTaskCompleted, handler, { uow, log, tracer: contextOnlyTracer }),
  "no tracing at all": createEventDelivery(onTaskCompleted, handler, { uow, log, tracer: noTracer }),
};

const BASELINE = "no tracing at all";
const samples = new Map<string, number[]>(Object.keys(variants).map((name) => [name, []]));
const loadBefore = loadavg()[0]!.toFixed(1);
// Round 0 warms up and is not counted.
for (let round = 0; round <= ROUNDS; round++) {
  const entries = Object.entries(variants);
  for (const [name, deliver] of round % 2 ? entries.reverse() : entries) {
    const started = process.cpuUsage();
    for (let i = 0; i < PER_ROUND; i++) if ((await deliver(body)) !== "SUCCESS") throw new Error("delivery failed");
    const { user, system } = process.cpuUsage(started);
    if (round > 0) samples.get(name)!.push(((user + system) * 1000) / PER_ROUND); // ns of CPU per delivery
  }
}
const loadAfter = loadavg()[0]!.toFixed(1);

const base = samples.get(BASELINE)!;
console.log(`${ROUNDS} alternating rounds × ${PER_ROUND} deliveries each; load average ${loadBefore} before, ${loadAfter} after`);
for (const [name, values] of samples) {
  const cpu = spread(values);
  const ratios = values.map((value, round) => value / base[round]!);
  console.log(
    `${name.padEnd(44)} ${(cpu.median / 1000).toFixed(2)} µs CPU/delivery (min ${(cpu.min / 1000).toFixed(2)}, max ${(cpu.max / 1000).toFixed(2)})` +
      `  per-round ratio to "${BASELINE}": median ${quantile(ratios, 0.5).toFixed(3)}×, quartiles ${quantile(ratios, 0.25).toFixed(3)}–${quantile(ratios, 0.75).toFixed(3)}×`,
  );
}
