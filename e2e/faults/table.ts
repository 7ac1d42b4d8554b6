/**
 * Global setup of `npm run test:faults`: clears the previous run's rows, and
 * when the suite ends prints one table of every scenario's figures and writes
 * it to `.data/faults/table.md`.
 */
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { FAULTS_DIR, readRows, renderTable, RESULTS_DIR } from "./results.js";

export function setup(): () => void {
  rmSync(RESULTS_DIR, { recursive: true, force: true });
  const started = Date.now();
  return () => {
    const minutes = ((Date.now() - started) / 60_000).toFixed(1);
    const table = `${renderTable(readRows())}\n\nWhole suite: ${minutes} min (${new Date().toISOString()}).\n`;
    writeFileSync(join(FAULTS_DIR, "table.md"), table);
    console.log(`\nFault table (also in ${join(FAULTS_DIR, "table.md")}):\n\n${table}`);
  };
}
