import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { silentLog, eventually } from "./dapr-stand-in/test-support.js";
import { supervise, type SuperviseOptions } from "./supervisor.js";

function run(script: string, options: Partial<SuperviseOptions> = {}) {
  const lines: string[] = [];
  const supervised = supervise({
    name: "fn",
    command: process.execPath,
    args: ["-e", script],
    env: { PATH: process.env.PATH ?? "" },
    onLine: (source, line) => lines.push(`${source}: ${line}`),
    log: silentLog,
    restartDelayMs: 10,
    ...options,
  });
  return { lines, supervised };
}

const settle = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("supervise", () => {
  it("passes on each output line with the process's name", async () => {
    const { lines } = run('console.log("one"); console.error("two")');
    await eventually(() => lines.length === 2);
    expect(lines.sort()).toEqual(["fn: one", "fn: two"]);
  });

  it("restarts a crashing process with back-off, and gives up after maxRestarts", async () => {
    const { lines } = run('console.log("started"); process.exit(1)', { maxRestarts: 2 });
    await eventually(() => lines.length === 3);
    await settle(300);
    expect(lines).toEqual(["fn: started", "fn: started", "fn: started"]);
  });

  it("restart() replaces the process with a new one, once, and its exit is no crash", async () => {
    const { lines, supervised } = run('console.log("started"); setInterval(() => {}, 1000)');
    await eventually(() => lines.length === 1);
    const first = supervised.pid();
    await supervised.restart();
    await eventually(() => lines.length === 2);
    await settle(200);
    expect(lines).toEqual(["fn: started", "fn: started"]);
    expect(supervised.pid()).toEqual(expect.any(Number));
    expect(supervised.pid()).not.toBe(first);
    await supervised.stop();
  });

  it("does not restart a process that exits 0 (a clean stop)", async () => {
    const { lines } = run('console.log("started")');
    await eventually(() => lines.length === 1);
    await settle(200);
    expect(lines).toEqual(["fn: started"]);
  });

  it("does not restart anything once the stack is shutting down", async () => {
    const shutdown = new AbortController();
    shutdown.abort();
    const { lines } = run('console.log("started"); process.exit(1)', { shutdown: shutdown.signal });
    await eventually(() => lines.length === 1);
    await settle(200);
    expect(lines).toEqual(["fn: started"]);
  });

  it("stops with SIGTERM and lets the process drain", async () => {
    const { lines, supervised } = run(
      'process.on("SIGTERM", () => { console.log("draining"); setTimeout(() => process.exit(0), 50); }); console.log("up"); setInterval(() => {}, 1000)',
    );
    await eventually(() => lines.includes("fn: up"));
    await supervised.stop();
    expect(lines).toEqual(["fn: up", "fn: draining"]);
  });

  it("kills a process that outlives the stop deadline", async () => {
    const { lines, supervised } = run('process.on("SIGTERM", () => {}); console.log("up"); setInterval(() => {}, 1000)', { graceMs: 200 });
    await eventually(() => lines.includes("fn: up"));
    const started = Date.now();
    await supervised.stop();
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
  });

  it("stops its processes when the supervising process itself exits (nothing orphaned)", async () => {
    // A parent that supervises a long-running child, then dies of an uncaught error.
    const supervisor = fileURLToPath(new URL("./supervisor.ts", import.meta.url));
    const parent = `
      import { supervise } from ${JSON.stringify(supervisor)};
      import { pino } from "pino";
      supervise({ name: "child", command: process.execPath, args: ["-e", "console.log(process.pid); setInterval(() => {}, 1000)"],
        env: { PATH: process.env.PATH ?? "" }, log: pino({ level: "silent" }),
        onLine: (_source, line) => { console.log(line); setTimeout(() => { throw new Error("parent crashes"); }, 10); } });`;
    const output = await new Promise<string>((resolve) =>
      execFile(process.execPath, ["--import", "tsx", "--input-type=module", "-e", parent], { timeout: 10_000 }, (_error, stdout) => resolve(stdout)),
    );
    const childPid = Number(output.trim());
    expect(childPid).toBeGreaterThan(0);
    const alive = () => {
      try {
        process.kill(childPid, 0);
        return true;
      } catch {
        return false;
      }
    };
    await eventually(() => !alive(), 3_000);
  });
});
