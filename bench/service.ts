/**
 * A server under test in its own process (toolkit/process.ts): spawned, waited
 * for, measured through /proc, and stopped. Its output goes to a log file,
 * shown if it fails, so nothing of it passes through the runner.
 */
import { join } from "node:path";
import { freePort } from "../toolkit/net.js";
import { benchBundle } from "./bundle.js";
import { answers, launch } from "../toolkit/process.js";
import { cpuTicks, memoryMiB } from "./proc-stat.js";

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
  tail(): string;
  stop(): Promise<void>;
}

export async function startService(spec: ServiceSpec, logDir: string): Promise<Service> {
  let service;
  try {
    service = await launch({
      name: spec.name,
      command: spec.command,
      args: spec.args,
      cwd: spec.cwd,
      env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...spec.env },
      output: { file: join(logDir, `${spec.name.replace(/[^\w.-]+/g, "_")}.log`) },
      // Probed this often because the time to the first 2xx is the cold start being measured.
      ready: answers(spec.port, spec.healthPath),
      readyIntervalMs: 2,
    });
  } catch (error) {
    throw new Error(`${spec.name} did not start: ${(error as Error).message}`, { cause: error });
  }
  const pid = service.pid!;
  return {
    name: spec.name,
    pid,
    port: spec.port,
    startedAt: service.startedAt,
    readyMs: service.readyMs,
    alive: service.alive,
    cpuTicks: () => cpuTicks(pid),
    memory: () => memoryMiB(pid),
    tail: service.tail,
    stop: service.stop,
  };
}

/** The Dapr sidecar stand-in every server under test publishes to (bench/sidecar-stub.ts). */
export async function startSidecarStub(logDir: string): Promise<Service> {
  const port = await freePort();
  return startService(
    { name: "sidecar-stub", command: process.execPath, args: [benchBundle("sidecar-stub")], env: { PORT: String(port) }, port, healthPath: "/v1.0/healthz" },
    logDir,
  );
}
