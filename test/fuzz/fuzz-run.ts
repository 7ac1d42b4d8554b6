/**
 * How the fuzz suites run: seeded (a fresh seed each run unless FUZZ_SEED is set),
 * bounded in count (FUZZ_RUNS) and in time, and on failure they say how to replay.
 */
import * as fc from "fast-check";

const DEFAULT_TIME_LIMIT_MS = 12_000;

export interface FuzzOptions {
  /** Generated cases per run, unless FUZZ_RUNS says otherwise. */
  runs: number;
  /** The property stops generating after this long (it still passes on what it ran). */
  timeLimitMs?: number;
}

export const FUZZ_SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : Math.floor(Math.random() * 2 ** 31);

/** Runs `property` and returns how many cases it ran; a failure names the seed and the shrunk case. */
export async function fuzz<T>(
  name: string,
  property: fc.IAsyncPropertyWithHooks<T>,
  { runs, timeLimitMs = DEFAULT_TIME_LIMIT_MS }: FuzzOptions,
): Promise<number> {
  const numRuns = process.env.FUZZ_RUNS ? Number(process.env.FUZZ_RUNS) : runs;
  // fast-check stops waiting for the case running at the time limit, but the case goes on: it is
  // awaited here, or its requests would still be writing while the next property runs, which then
  // saw those writes as its own (seeds 338159466 and 540468249 failed that way in event-routes.test.ts).
  let running: unknown;
  const tracked = new Proxy(property, {
    get(target, key) {
      if (key === "run") return (value: T) => (running = target.run(value));
      const member: unknown = Reflect.get(target, key);
      return typeof member === "function" ? member.bind(target) : member;
    },
  });
  const details = await fc.check(tracked, { seed: FUZZ_SEED, numRuns, interruptAfterTimeLimit: timeLimitMs, markInterruptAsFailure: false });
  await Promise.allSettled([running]);
  if (details.failed) {
    const replay = `FUZZ_SEED=${FUZZ_SEED} npx vitest run test/fuzz`;
    throw new Error(
      `${name} failed after ${details.numRuns} cases (seed ${FUZZ_SEED}; replay: ${replay}).\nCounterexample: ${fc.stringify(details.counterexample)}\n${String(details.errorInstance)}`,
      {
        cause: details.errorInstance,
      },
    );
  }
  return details.numRuns;
}
