/**
 * Part 5: `npm start` until it prints that taskfn is ready, in a copy of the
 * repository (so `.data` is fresh and the developer's own `.data` is never
 * touched): the first run (initdb, migrations, build) and then a warm restart.
 */
import { spawn } from "node:child_process";
import { createServer } from "node:net";
import { chmod, cp, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { BenchContext } from "../context.js";
import { freePort, sleep } from "../../toolkit/net.js";
import { noErrors, type Row } from "../report.js";
import { spread } from "../stats.js";

const PART = "5 npm start";
const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const READY_LINE = /taskfn is ready in/;
const START_TIMEOUT_MS = 120_000;
const STOP_TIMEOUT_MS = 30_000;
/** Not copied: dependencies are linked, and build output and data must start absent. */
const SKIP = new Set(["node_modules", ".data", "dist", ".git", "coverage"]);

/** Resolves once nothing listens on `port` (the last run's PostgreSQL may still be shutting down). */
async function waitPortFree(port: number): Promise<void> {
  const deadline = performance.now() + STOP_TIMEOUT_MS;
  while (performance.now() < deadline) {
    const free = await new Promise<boolean>((resolve) => {
      const server = createServer();
      server.once("error", () => resolve(false));
      server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
    });
    if (free) return;
    await sleep(100);
  }
  throw new Error(`port ${port} still in use ${STOP_TIMEOUT_MS / 1000} s after npm start stopped`);
}

/** Spawns `npm start` in its own process group and resolves the ms until the ready line, then stops it. */
async function timeToReady(cwd: string, env: Record<string, string>, logFile: string): Promise<number> {
  const started = performance.now();
  const child = spawn("npm", ["start"], { cwd, env: { ...process.env, ...env }, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  const output: string[] = [];
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const ready = new Promise<number>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      const text = chunk.toString("utf8");
      output.push(text);
      if (READY_LINE.test(text)) resolve(performance.now() - started);
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    void exited.then((code) => reject(new Error(`npm start exited (code ${code}) before it was ready`)));
    setTimeout(() => reject(new Error(`npm start not ready after ${START_TIMEOUT_MS / 1000} s`)), START_TIMEOUT_MS).unref();
  });
  // The whole group: npm, tsx and the functions it supervises.
  const signal = (name: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, name);
    } catch {
      // already gone
    }
  };
  try {
    return await ready;
  } finally {
    signal("SIGTERM");
    const stopped = await Promise.race([exited.then(() => true), sleep(STOP_TIMEOUT_MS).then(() => false)]);
    if (!stopped) signal("SIGKILL");
    await writeFile(logFile, output.join(""));
  }
}

export async function npmStart(ctx: BenchContext): Promise<Row[]> {
  const copy = await mkdtemp(join(tmpdir(), "taskfn-bench-npm-start-"));
  try {
    // mkdtemp makes it private; the embedded PostgreSQL may run as its own user (see toolkit/embedded-postgres.ts).
    await chmod(copy, 0o755);
    await cp(ROOT, copy, { recursive: true, filter: (source) => !SKIP.has(basename(source)) || source === ROOT });
    await symlink(join(ROOT, "node_modules"), join(copy, "node_modules"));
    // Its own gateway and PostgreSQL ports; the function ports and the stand-in's 3500 are fixed, and npm start checks them.
    const env = { PORT: String(await freePort()), TASKFN_PG_PORT: String(await freePort()), NO_COLOR: "1" };
    const first: number[] = [];
    const warm: number[] = [];
    for (let run = 0; run < ctx.config.npmStartRuns; run++) {
      await Promise.all([waitPortFree(Number(env.PORT)), waitPortFree(Number(env.TASKFN_PG_PORT))]);
      await rm(join(copy, ".data"), { recursive: true, force: true });
      await rm(join(copy, "dist"), { recursive: true, force: true });
      ctx.log(`[${PART}] run ${run + 1}/${ctx.config.npmStartRuns}: first start (fresh .data)…`);
      first.push(await timeToReady(copy, env, join(ctx.logDir, `npm-start-first-${run + 1}.log`)));
      await Promise.all([waitPortFree(Number(env.PORT)), waitPortFree(Number(env.TASKFN_PG_PORT))]);
      ctx.log(`[${PART}] run ${run + 1}/${ctx.config.npmStartRuns}: warm restart…`);
      warm.push(await timeToReady(copy, env, join(ctx.logDir, `npm-start-warm-${run + 1}.log`)));
    }
    return [
      { part: PART, scenario: "first run (fresh .data): spawn → ready line", server: "taskfn", metric: "ms", value: spread(first), errors: noErrors() },
      {
        part: PART,
        scenario: "warm restart: spawn → ready line",
        server: "taskfn",
        metric: "ms",
        value: spread(warm),
        target: { text: "≤ 5000 ms", met: spread(warm).median <= 5000 },
        errors: noErrors(),
      },
    ];
  } finally {
    await rm(copy, { recursive: true, force: true });
  }
}
