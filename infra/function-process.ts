/**
 * One function as its own Node process, from its esbuild bundle, the way its
 * container runs it: started, awaited until /readyz answers, stopped with
 * SIGTERM (it drains in-flight work), and killed if this process dies first.
 */
import { spawn } from "node:child_process";
import { captureLines, killOnExit, terminate, waitFor } from "./net.js";

export interface FunctionProcessOptions {
  name: string;
  /** `dist/<appId>/index.mjs`. */
  bundle: string;
  port: number;
  /** The whole environment of the process; PORT and HOST are set here. */
  env: Record<string, string>;
  log?: (line: string) => void;
  /** Told when the process exits without stop() or signal() having asked it to (a crash). */
  onCrash?: (exit: ProcessExit) => void;
}

export interface ProcessExit {
  name: string;
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface FunctionProcess {
  /** Sends a signal as Kubernetes would (SIGTERM starts the drain); resolves when the process has exited. */
  signal(signal: NodeJS.Signals): Promise<ProcessExit>;
  stop(): Promise<void>;
}

const READY_TIMEOUT_MS = 30_000;
// Longer than serve.ts's 10 s drain deadline, so a drain is never cut short.
const STOP_GRACE_MS = 12_000;

async function isReady(port: number): Promise<true | undefined> {
  const response = await fetch(`http://127.0.0.1:${port}/readyz`, { signal: AbortSignal.timeout(2_000) });
  await response.body?.cancel();
  return response.ok ? true : undefined;
}

export async function startFunctionProcess({ name, bundle, port, env, log, onCrash }: FunctionProcessOptions): Promise<FunctionProcess> {
  const child = spawn(process.execPath, ["--enable-source-maps", bundle], {
    env: { ...env, PORT: String(port), HOST: "127.0.0.1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const forget = killOnExit(child);
  const tail = captureLines(child, log);
  let stopping = false;
  let exit: string | undefined;
  const exited = new Promise<ProcessExit>((resolve) =>
    child.once("exit", (code, signal) => {
      exit = `${name} exited (${signal ?? `code ${code}`})`;
      // Exit code 0 is a drain after a signal (a terminal's Ctrl-C reaches the whole group).
      // A crash is not restarted: say so loudly instead of leaving a silent gap.
      if (!stopping && code !== 0) {
        log?.(`✖ ${exit}`);
        onCrash?.({ name, code, signal });
      }
      resolve({ name, code, signal });
    }),
  );
  child.once("error", (error) => (exit = `could not start ${name}: ${error.message}`));
  const stop = async () => {
    stopping = true;
    await terminate(child, STOP_GRACE_MS);
    forget();
  };

  try {
    await waitFor(`${name} ready on :${port}`, READY_TIMEOUT_MS, () => isReady(port), { abort: () => exit, describe: tail, intervalMs: 100 });
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    async signal(signal) {
      stopping = true;
      child.kill(signal);
      const result = await exited;
      forget();
      return result;
    },
    stop,
  };
}
