/**
 * The one way the tools start a process: a function from its bundle, daprd,
 * Kafka, a benchmark's server. Its output goes line by line to a callback (the
 * last lines kept for error messages) or straight to a file (nothing passes
 * through this process while it is being measured); launch() resolves once its
 * readiness check passes; stop() is graceful (SIGTERM, SIGKILL after the grace
 * period); and nothing outlives this process.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { openSync, readFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { SHUTDOWN_DEADLINE_SECONDS } from "../runtime/lifecycle.js";
import { probe, waitFor } from "./net.js";

/** Longer than a function's own drain deadline, so a drain is never cut short. */
export const STOP_GRACE_MS = SHUTDOWN_DEADLINE_SECONDS * 1000 + 2_000;
/** How long stop() waits, after the exit, for the rest of a process's output. */
const OUTPUT_DRAIN_MS = 1_000;

export interface LaunchOptions {
  name: string;
  command: string;
  args: readonly string[];
  /** The whole environment of the process. */
  env: NodeJS.ProcessEnv;
  cwd?: string;
  /** Each line it prints, or a file its output is appended to. */
  output: ((line: string) => void) | { file: string };
  /** launch() resolves once this returns true; omitted, it resolves at once. */
  ready?: () => Promise<boolean>;
  readyTimeoutMs?: number;
  readyIntervalMs?: number;
  graceMs?: number;
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** It could not be started at all (e.g. the command does not exist). */
  error?: Error;
  /** stop() was called: the exit was asked for. */
  stopped: boolean;
}

export interface Launched {
  pid: number | undefined;
  /** performance.now() just before the spawn. */
  startedAt: number;
  /** Milliseconds from the spawn to the first passing readiness check (0 without one). */
  readyMs: number;
  exited: Promise<Exit>;
  alive(): boolean;
  /** Why it is no longer running, for "exited early" errors; undefined while it runs. */
  exitReason(): string | undefined;
  /** The last lines it printed, as a block to append to an error. */
  tail(): string;
  stop(): Promise<void>;
  /** Sends `signal` as an asked-for stop (SIGTERM: the drain Kubernetes starts; SIGKILL: a crash); resolves with the exit. */
  signal(signal: NodeJS.Signals): Promise<Exit>;
}

const TAIL_LINES = 40;
const running = new Set<ChildProcess>();
let exitHook = false;

/** Whatever happens to this process (a crashed test run, Ctrl-C), nothing it started outlives it. */
function killOnExit(child: ChildProcess): void {
  running.add(child);
  child.once("exit", () => running.delete(child));
  if (exitHook) return;
  exitHook = true;
  process.once("exit", () => {
    for (const c of running) c.kill("SIGKILL");
  });
}

function collectOutput(child: ChildProcess, output: LaunchOptions["output"]): () => string[] {
  if (typeof output !== "function") {
    const { file } = output;
    return () => readFileSync(file, "utf8").trimEnd().split("\n").slice(-TAIL_LINES);
  }
  const kept: string[] = [];
  for (const stream of [child.stdout, child.stderr]) {
    if (!stream) continue;
    createInterface({ input: stream }).on("line", (line) => {
      kept.push(line);
      if (kept.length > TAIL_LINES) kept.shift();
      output(line);
    });
  }
  return () => kept;
}

/** A readiness check: GET `path` answers `accept` (default: any 2xx). */
export function answers(port: number, path: string, accept = (status: number) => status >= 200 && status < 300): () => Promise<boolean> {
  return async () => accept(await probe(port, path));
}

export async function launch(options: LaunchOptions): Promise<Launched> {
  const { name, command, args, env, cwd, output, ready, readyTimeoutMs = 30_000, readyIntervalMs = 100, graceMs = STOP_GRACE_MS } = options;
  const stdout = typeof output === "function" ? "pipe" : openSync(output.file, "a");
  const startedAt = performance.now();
  const child = spawn(command, args, { env, cwd, stdio: ["ignore", stdout, stdout] });
  killOnExit(child);
  const lines = collectOutput(child, output);
  let stopped = false;
  let exit: Exit | undefined;
  const exited = new Promise<Exit>((resolve) => {
    child.once("exit", (code, signal) => resolve((exit = { code, signal, stopped })));
    child.once("error", (error) => resolve((exit = { code: null, signal: null, error, stopped })));
  });
  const exitReason = () => {
    if (!exit) return undefined;
    if (exit.error) return `could not start ${name}: ${exit.error.message}`;
    return `${name} exited (${exit.signal ?? `code ${exit.code}`})`;
  };
  const tail = () => {
    const kept = lines();
    return kept.length ? `\n--- last ${kept.length} lines of ${name} ---\n${kept.join("\n")}` : "";
  };
  // 'close': its output is closed too. Lines still buffered when it exited are
  // delivered after 'exit', so stop() waits for this: whoever closes the process's
  // log after stop() has every line in it (the log book drops what comes later).
  const outputClosed = new Promise<void>((resolve) => child.once("close", () => resolve()));
  const stop = async () => {
    stopped = true;
    if (!exit) {
      const kill = setTimeout(() => child.kill("SIGKILL"), graceMs);
      child.kill("SIGTERM");
      await exited;
      clearTimeout(kill);
    }
    // Bounded: something it started may still hold its output open.
    let drained: NodeJS.Timeout | undefined;
    await Promise.race([outputClosed, new Promise((resolve) => (drained = setTimeout(resolve, OUTPUT_DRAIN_MS)))]);
    clearTimeout(drained);
  };

  let readyMs = 0;
  if (ready) {
    try {
      await waitFor(`${name} ready`, readyTimeoutMs, async () => ((await ready()) ? true : undefined), {
        abort: exitReason,
        describe: tail,
        intervalMs: readyIntervalMs,
      });
      readyMs = performance.now() - startedAt;
    } catch (error) {
      await stop();
      throw error;
    }
  }
  const signal = async (name: NodeJS.Signals) => {
    stopped = true;
    if (!exit) child.kill(name);
    return exited;
  };
  return { pid: child.pid, startedAt, readyMs, exited, alive: () => exit === undefined, exitReason, tail, stop, signal };
}
