/** Bounded waits for what happens asynchronously: events on topics, webhook calls, log lines. */
import { setTimeout as sleep } from "node:timers/promises";
import { waitFor } from "../toolkit/net.js";

export interface SettleOptions {
  timeoutMs?: number;
  /** How long to keep watching after `expected` was reached, so a late duplicate still shows. */
  settleMs?: number;
}

/** Waits until `count()` reaches `expected`, watches a little longer, and returns the final count. */
export async function settledCount(
  what: string,
  expected: number,
  count: () => Promise<number> | number,
  { timeoutMs = 60_000, settleMs = 2_000 }: SettleOptions = {},
): Promise<number> {
  let last = 0;
  await waitFor(
    `${what} (expected ${expected})`,
    timeoutMs,
    async () => {
      last = await count();
      return last >= expected ? true : undefined;
    },
    { intervalMs: 200, describe: () => `; last count ${last}` },
  );
  await sleep(settleMs);
  return count();
}

/** Polls `probe` until it returns a value, for at most `timeoutMs`. */
export function eventually<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 60_000): Promise<T> {
  return waitFor(what, timeoutMs, async () => probe(), { intervalMs: 200 });
}
