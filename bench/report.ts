/** The one table the benchmark prints: one row per (scenario, server, metric). */
import type { Measured } from "./alternate.js";
import { median, spread, type Spread } from "./stats.js";

export interface Errors {
  /** Answers with an unexpected status. */
  status: number;
  /** Right status but the body lacks what it must hold (SUCCESS for events). */
  body: number;
  /** Connect/read/write errors and timeouts. */
  socket: number;
  /** Everything else that went wrong: unpublished outbox rows, lost events, failed spawns. */
  other: number;
}

export interface Target {
  /** e.g. "≥ 0.9×". */
  text: string;
  met: boolean;
}

export interface Row {
  part: string;
  scenario: string;
  server: string;
  /** The unit of median/min/max, e.g. "req/s", "ms", "MiB". */
  metric: string;
  value: Spread;
  /** median / baseline median. */
  ratio?: number;
  target?: Target;
  /** Latency medians over rounds, ms. */
  p50?: number;
  p99?: number;
  errors?: Errors;
  wrkCpu?: number;
  serverCpu?: number;
  peakRss?: number;
}

export const noErrors = (): Errors => ({ status: 0, body: 0, socket: 0, other: 0 });
export const errorTotal = (e: Errors | undefined) => (e ? e.status + e.body + e.socket + e.other : 0);

/** Throughput rows of a load measurement, with ratios to the baseline contender's median. */
export function throughputRows(
  part: string,
  scenario: string,
  measured: Measured[],
  target: (name: string, row: Row, baseline: Row) => Target | undefined,
): Row[] {
  const rows = measured.map(({ contender, samples, warmupErrors }): Row => {
    const errors = noErrors();
    for (const e of [warmupErrors, ...samples.map((s) => s.errors)]) {
      errors.status += e.status;
      errors.body += e.body;
      errors.socket += e.socket;
    }
    return {
      part,
      scenario,
      server: contender.name,
      metric: "req/s",
      value: spread(samples.map((s) => s.rps)),
      p50: median(samples.map((s) => s.p50)),
      p99: median(samples.map((s) => s.p99)),
      errors,
      wrkCpu: Math.max(...samples.map((s) => s.wrkCpu)),
      serverCpu: median(samples.map((s) => s.serverCpu)),
      peakRss: contender.service.memory().peak,
    };
  });
  const baselineIndex = measured.findIndex((m) => m.contender.baseline);
  const baseline = rows[baselineIndex];
  if (!baseline) throw new Error(`${scenario}: no baseline contender`);
  for (const row of rows) {
    row.ratio = row.value.median / baseline.value.median;
    if (row !== baseline) row.target = target(row.server, row, baseline);
  }
  return rows;
}

const fixed = (value: number | undefined, digits = 0) => (value === undefined || Number.isNaN(value) ? "–" : value.toFixed(digits));
const digitsFor = (value: number) => (Math.abs(value) >= 100 ? 0 : Math.abs(value) >= 10 ? 1 : 2);

export function renderTable(rows: Row[]): string {
  const header = [
    "part",
    "scenario",
    "server",
    "metric",
    "median",
    "min–max",
    "× baseline",
    "target",
    "p50 / p99 ms",
    "non-2xx",
    "no SUCCESS",
    "socket err",
    "other err",
    "wrk CPU %",
    "server CPU %",
    "peak RSS MiB",
  ];
  const lines = [`| ${header.join(" | ")} |`, `|${header.map(() => "---").join("|")}|`];
  for (const r of rows) {
    const d = digitsFor(r.value.median);
    const cells = [
      r.part,
      r.scenario,
      r.server,
      r.metric,
      `**${fixed(r.value.median, d)}**`,
      `${fixed(r.value.min, d)}–${fixed(r.value.max, d)}`,
      r.ratio === undefined ? "–" : `${r.ratio.toFixed(2)}×`,
      r.target ? `${r.target.text} ${r.target.met ? "✅" : "❌"}` : "–",
      r.p50 === undefined ? "–" : `${fixed(r.p50, 2)} / ${fixed(r.p99, 1)}`,
      fixed(r.errors?.status),
      fixed(r.errors?.body),
      fixed(r.errors?.socket),
      fixed(r.errors?.other),
      fixed(r.wrkCpu),
      fixed(r.serverCpu),
      fixed(r.peakRss),
    ];
    lines.push(`| ${cells.join(" | ")} |`);
  }
  return lines.join("\n");
}
