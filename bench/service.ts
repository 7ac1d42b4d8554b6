/**
 * A server under test in its own process: spawned, waited for, measured through
 * /proc, and stopped. Its output goes to a log file that is shown if it fails.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { openSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { cpuTicks, memoryMiB } from "./proc-stat.js";
import { sleep, waitHealthy } from "./net.js";

export interface ServiceSpec {
  name: string;
  command: string;
  args: string[];
  env: Record<string, string>;
  port: number;
  /** Answers 2xx once the server takes requests. */
  healthPath: string;
  cwd?: string;
}

export interface Service {
  name: string;
  pid: number;
  port: number;
  /** performance.now() at spawn. */
  startedAt: number;
  /** Milliseconds from spawn to the first 2xx on the health path. */
  readyMs: number;
  alive(): boolean;
  cpuTicks(): number;
  memory(): { rss: number; peak: number };
  /** The last lines it printed, for error messages. */
  tail(lines?: number): string;
  stop(): Promise<void>;
}

const STOP_GRACE_MS = 5_000;

// Whatever happens to the runner, nothing it started outlives it.
const running = new Set<ChildProcess>();
process.on("exit", () => {
  for (const child of running) child.kill("SIGKILL");
});

export async function startService(spec: ServiceSpec, logDir: string): Promise<Service> {
  const logFile = join(logDir, `${spec.name.replace(/[^\w.-]+/g, "_")}.log`);
  const out = openSync(logFile, "a");
  const started = performance.now();
  const child = spawn(spec.command, spec.args, {
    cwd: spec.cwd,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...spec.env },
    stdio: ["ignore", out, out],
  });
  running.add(child);
  let exited = false;
  const exit = new Promise<void>((resolve) =>
    child.once("exit", () => {
      exited = true;
      running.delete(child);
      resolve();
    }),
  );
  const tail = (lines = 20) => readFileSync(logFile, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
  const stop = async () => {
    if (exited) return;
    child.kill("SIGTERM");
    const done = await Promise.race([exit.then(() => true), sleep(STOP_GRACE_MS).then(() => false)]);
    if (!done) {
      child.kill("SIGKILL");
      await exit;
    }
  };
  let readyMs: number;
  try {
    readyMs = await waitHealthy(spec.port, spec.healthPath, { since: started, alive: () => !exited });
  } catch (error) {
    await stop();
    throw new Error(`${spec.name} did not start: ${(error as Error).message}\n${tail()}`, { cause: error });
  }
  const pid = child.pid!;
  return {
    name: spec.name,
    pid,
    port: spec.port,
    startedAt: started,
    readyMs,
    alive: () => !exited,
    cpuTicks: () => cpuTicks(pid),
    memory: () => memoryMiB(pid),
    tail,
    stop,
  };
}
