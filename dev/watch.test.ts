/**
 * `npm run dev` (startDev with watch) on a copy of the source tree, on loopback
 * ports of its own: a saved change rebuilds and restarts only what it touches.
 */
import { appendFile, cp, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT } from "../toolkit/paths.js";
import type { RunningDev } from "./start.js";
import { startIsolatedDev } from "./test-stack.js";

let root: string;
let dev: RunningDev;
const output: string[] = [];

/** Polls `check` every 100 ms until it returns true, for at most `ms`. */
async function eventually(check: () => Promise<boolean> | boolean, ms = 30_000): Promise<boolean> {
  for (const deadline = Date.now() + ms; Date.now() < deadline; await new Promise((resolve) => setTimeout(resolve, 100))) {
    if (await check()) return true;
  }
  return false;
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "taskfn-tree-"));
  for (const entry of ["functions", "runtime", "tasks", "dapr", "prisma", "package.json", "tsconfig.json"]) {
    await cp(join(ROOT, entry), join(root, entry), { recursive: true });
  }
  await symlink(join(ROOT, "node_modules"), join(root, "node_modules"));
  dev = await startIsolatedDev(output, { root, watch: true });
}, 120_000);

afterAll(async () => {
  await dev?.stop();
  await rm(root, { recursive: true, force: true });
}, 60_000);

describe("npm run dev (startDev with watch)", () => {
  it("rebuilds and restarts only the function whose handler was saved, and its new code answers", async () => {
    const before = dev.pids();
    const url = `${dev.gatewayUrl}/api/dev/tasks/00000000-0000-4000-8000-000000000000`;
    const headers = { authorization: `Bearer ${await dev.mintToken("dev")}` };
    const detail = async () => ((await (await fetch(url, { headers })).json()) as { detail: string }).detail;
    expect(await detail()).toBe("Task 00000000-0000-4000-8000-000000000000 does not exist.");

    const handler = join(root, "functions", "get-task", "handler.ts");
    await writeFile(handler, (await readFile(handler, "utf8")).replace("taskNotFound(params.taskId)", "taskNotFound(`${params.taskId} (edited)`)"));

    expect(await eventually(async () => (await detail()).includes("(edited)")), output.join("\n")).toBe(true);
    const after = dev.pids();
    for (const [appId, pid] of before) {
      if (appId === "get-task") expect(after.get(appId)).not.toBe(pid);
      else expect(after.get(appId), appId).toBe(pid);
    }
    expect(await eventually(() => /✔ get-task: rebuilt in \d+ ms, restarted and ready in \d+ ms/.test(output.join("\n")))).toBe(true);
  }, 60_000);

  it("applies a new migration and restarts the stand-in on a change under dapr/, leaving the functions running", async () => {
    const before = dev.pids();
    const migration = join(root, "prisma", "migrations", "29990101000000_dev_loop_probe");
    await mkdir(migration);
    await writeFile(join(migration, "migration.sql"), "CREATE TABLE dev_loop_probe (id integer);\n");
    expect(await eventually(() => output.some((line) => line.includes("✔ applied 29990101000000_dev_loop_probe"))), output.join("\n")).toBe(true);

    await appendFile(join(root, "dapr", "resiliency.yaml"), "\n# touched by dev/watch.test.ts\n");
    expect(await eventually(() => output.some((line) => line.includes("the Dapr stand-in restarted"))), output.join("\n")).toBe(true);
    expect(dev.pids()).toEqual(before);
  }, 60_000);
});
