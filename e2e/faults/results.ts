/**
 * One row of the fault table per scenario, written as soon as the scenario
 * has measured it (before it asserts, so a failing scenario shows its figures
 * too) and printed together by table.ts when the suite ends.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { DEV_DATA_DIR } from "../../toolkit/paths.js";

/** The scenarios' logs, their rows and the table. */
export const FAULTS_DIR = join(DEV_DATA_DIR, "faults");
export const RESULTS_DIR = join(FAULTS_DIR, "results");

export interface ScenarioRow {
  scenario: string;
  /** CloudEvents taskfn's functions wrote to the outbox, plus any the scenario produced itself. */
  eventsSent: number;
  /** The effects the scenario checks for (next instances, events on a topic, tasks). */
  effectsExpected: number;
  lost: number;
  duplicated: number;
  /** Records on tasks-dlq and reminders-dlq. */
  dlq: number;
  /** Function processes and sidecars that exited without being asked to. */
  exited: number;
  /** From the end of the fault to the last expected effect. */
  recoveryMs: number | undefined;
  notes: string;
  /** What had not recovered within the scenario's bound, if anything. */
  pending?: string;
}

export function recordRow(row: ScenarioRow): void {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const notes = row.pending ? `${row.notes}; ⚠ ${row.pending}` : row.notes;
  const { scenario, eventsSent, effectsExpected, lost, duplicated, dlq, exited, recoveryMs } = row;
  writeFileSync(
    join(RESULTS_DIR, `${scenario.replace(/\W+/g, "-")}.json`),
    JSON.stringify({ scenario, eventsSent, effectsExpected, lost, duplicated, dlq, exited, recoveryMs, notes }),
  );
}

export function readRows(): ScenarioRow[] {
  let files: string[];
  try {
    files = readdirSync(RESULTS_DIR)
      .filter((file) => file.endsWith(".json"))
      .sort();
  } catch {
    return [];
  }
  return files.map((file) => JSON.parse(readFileSync(join(RESULTS_DIR, file), "utf8")) as ScenarioRow);
}

const seconds = (ms: number | undefined) => (ms === undefined ? "–" : `${(ms / 1000).toFixed(1)} s`);

export function renderTable(rows: readonly ScenarioRow[]): string {
  const header = ["scenario", "events sent", "effects expected", "lost", "duplicated", "DLQ", "processes exited", "recovery", "notes"];
  const lines = rows.map((row) => [
    row.scenario,
    row.eventsSent,
    row.effectsExpected,
    row.lost,
    row.duplicated,
    row.dlq,
    row.exited,
    seconds(row.recoveryMs),
    row.notes,
  ]);
  const total = (pick: (row: ScenarioRow) => number) => rows.reduce((sum, row) => sum + pick(row), 0);
  lines.push([
    "**total**",
    total((row) => row.eventsSent),
    total((row) => row.effectsExpected),
    total((row) => row.lost),
    total((row) => row.duplicated),
    total((row) => row.dlq),
    total((row) => row.exited),
    "",
    "",
  ]);
  return [header, header.map(() => "---"), ...lines].map((cells) => `| ${cells.join(" | ")} |`).join("\n");
}
