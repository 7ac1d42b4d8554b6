/**
 * Runs one function as its own Node process the way a platform would: its
 * output line by line to `onLine`, a crash (non-zero exit or killed) logged
 * loudly and restarted with exponential back-off (bounded: after `maxRestarts`
 * quick crashes in a row it gives up), and a graceful stop (SIGTERM, SIGKILL if
 * it outlives the deadline). Exit code 0 is a clean stop (a function exits 0
 * only after draining on a signal, e.g. a terminal's Ctrl-C reaching it
 * directly): it is not restarted. restart() is the asked-for kind (`npm run dev`
 * after a rebuild): a graceful stop, then the same command again.
 */
import type { Logger } from "pino";
import { launch, type Launched } from "../toolkit/process.js";

export interface SuperviseOptions {
  name: string;
  command: string;
  args: readonly string[];
  env: Record<string, string>;
  onLine(source: string, line: string): void;
  log: Logger;
  /** Aborted when the whole stack is stopping: exits are expected then, not restarted. */
  shutdown?: AbortSignal;
  maxRestarts?: number;
  /** First restart delay; doubles per crash up to 8 s. */
  restartDelayMs?: number;
  /** Default: toolkit/process.ts's, longer than the function's own drain deadline. */
  graceMs?: number;
}

export interface Supervised {
  /** The running process's, undefined between a crash and its restart. */
  pid(): number | undefined;
  /** Stops it gracefully and starts it again; resolves once the new process is spawned. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

// A process that ran this long before crashing counts as healthy again: its next crash restarts from the first delay.
const STABLE_AFTER_MS = 30_000;
const MAX_RESTART_DELAY_MS = 8_000;

export function supervise({ name, command, args, env, onLine, log, shutdown, maxRestarts = 5, restartDelayMs = 500, graceMs }: SuperviseOptions): Supervised {
  let current: Promise<Launched> | undefined;
  let pid: number | undefined;
  // Bumped by restart(): the exit of a process restarted on purpose is no crash.
  let generation = 0;
  let restarts = 0;
  let restartTimer: NodeJS.Timeout | undefined;
  let stopping = false;

  function start(): void {
    const startedAt = Date.now();
    const ours = generation;
    // Without a readiness check launch() resolves as soon as the process is spawned.
    const launching = launch({ name, command, args, env, output: (line) => onLine(name, line), graceMs });
    current = launching;
    void launching.then(async (running) => {
      pid = running.pid;
      const { code, signal, error } = await running.exited;
      if (ours !== generation || stopping || shutdown?.aborted) return;
      pid = undefined;
      if (error) return log.error({ err: error }, `✖ could not start ${name}`);
      if (code === 0) return log.info(`${name} stopped`);
      if (Date.now() - startedAt > STABLE_AFTER_MS) restarts = 0;
      const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
      if (restarts >= maxRestarts) {
        log.error(`✖ ${name} ${how} and crashed ${restarts + 1} times in a row; not restarting it. Fix the cause and run npm start again.`);
        return;
      }
      const delay = Math.min(restartDelayMs * 2 ** restarts, MAX_RESTART_DELAY_MS);
      restarts++;
      log.error(`✖ ${name} ${how}; restarting in ${delay} ms (restart ${restarts} of ${maxRestarts})`);
      restartTimer = setTimeout(start, delay);
    });
  }

  start();
  return {
    pid: () => pid,
    async restart() {
      generation++;
      clearTimeout(restartTimer);
      await (await current)?.stop();
      restarts = 0;
      if (stopping || shutdown?.aborted) return;
      start();
      await current;
    },
    async stop() {
      stopping = true;
      clearTimeout(restartTimer);
      await (await current)?.stop();
    },
  };
}
