/**
 * Runs one function as its own Node process the way a platform would: its
 * output line by line to `onLine`, a crash (non-zero exit or killed) logged
 * loudly and restarted with exponential back-off (bounded: after `maxRestarts`
 * quick crashes in a row it gives up), and a graceful stop (SIGTERM, SIGKILL if
 * it outlives the deadline). Exit code 0 is a clean stop (a function exits 0
 * only after draining on a signal, e.g. a terminal's Ctrl-C reaching it
 * directly): it is not restarted.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import type { Logger } from "pino";

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
  /** Longer than serve.ts's 10 s drain deadline. */
  stopDeadlineMs?: number;
}

export interface Supervised {
  stop(): Promise<void>;
}

// A process that ran this long before crashing counts as healthy again: its next crash restarts from the first delay.
const STABLE_AFTER_MS = 30_000;
const MAX_RESTART_DELAY_MS = 8_000;

/**
 * Whatever ends this process (an uncaught error included), its supervised
 * processes end with it: the 'exit' listener can only act synchronously, so it
 * sends SIGTERM and each function drains on its own.
 */
const alive = new Set<ChildProcess>();
process.on("exit", () => {
  for (const child of alive) child.kill("SIGTERM");
});

export function supervise({ name, command, args, env, onLine, log, shutdown, maxRestarts = 5, restartDelayMs = 500, stopDeadlineMs = 12_000 }: SuperviseOptions): Supervised {
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  let restarts = 0;
  let restartTimer: NodeJS.Timeout | undefined;
  let stopping = false;

  function start(): void {
    const startedAt = Date.now();
    const running = spawn(command, args, { env, stdio: ["ignore", "pipe", "pipe"] });
    child = running;
    alive.add(running);
    for (const stream of [running.stdout, running.stderr]) createInterface({ input: stream }).on("line", (line) => onLine(name, line));
    exited = new Promise((resolve) => {
      running.once("exit", (code, signal) => {
        child = undefined;
        alive.delete(running);
        resolve();
        if (stopping || shutdown?.aborted) return;
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
    });
    running.once("error", (error) => log.error({ err: error }, `✖ could not start ${name}`));
  }

  start();
  return {
    async stop() {
      stopping = true;
      clearTimeout(restartTimer);
      const running = child;
      if (!running) return;
      const kill = setTimeout(() => running.kill("SIGKILL"), stopDeadlineMs);
      running.kill("SIGTERM");
      await exited;
      clearTimeout(kill);
    },
  };
}
