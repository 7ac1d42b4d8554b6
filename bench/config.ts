/**
 * How long everything runs. The full run takes about 25 minutes on 2 cores;
 * BENCH_QUICK=1 is a ~2-minute smoke run of the same code paths.
 */
export interface BenchConfig {
  quick: boolean;
  rounds: number;
  warmupS: number;
  /** One measured wrk run. */
  durationS: number;
  /** wrk connections of every load cell. */
  concurrencies: number[];
  /** Shares of recurring task.completed events in the event-delivery cells with a database. */
  recurringMixes: number[];
  coldStartSpawns: number;
  /** Pause after a cold start before reading idle RSS. */
  idleSettleMs: number;
  pipeline: {
    /** Fraction of the saturating rate offered. */
    loads: number[];
    /** Length of one paced run. */
    durationS: number;
    /** Completions queued in Kafka for the drain measurement, and sent end to end for the saturation. */
    backlog: number;
  };
  npmStartRuns: number;
}

export function readBenchConfig(env: Record<string, string | undefined> = process.env): BenchConfig {
  const quick = env.BENCH_QUICK === "1";
  return quick
    ? {
        quick,
        rounds: 3,
        warmupS: 1,
        durationS: 1,
        // One cell of each kind: every code path, not every combination.
        concurrencies: [32],
        recurringMixes: [50],
        coldStartSpawns: 2,
        idleSettleMs: 200,
        pipeline: { loads: [0.5], durationS: 3, backlog: 300 },
        npmStartRuns: 1,
      }
    : {
        quick,
        // The slowest cells (listTasks' search, tens of requests per second, bound by
        // PostgreSQL) hold ~100 requests per round: with 3 rounds one slow round of
        // either server moved their median ratio by a tenth between runs.
        rounds: 5,
        // At the database cells' rates (hundreds of requests/s) V8 was still optimising
        // the per-request code after a 2 s warm-up: CPU per request kept falling round
        // after round, so the first rounds measured the JIT, and the server with more
        // code to optimise looked slower.
        warmupS: 8,
        durationS: 3,
        concurrencies: [1, 32],
        recurringMixes: [0, 50],
        coldStartSpawns: 10,
        idleSettleMs: 300,
        pipeline: { loads: [0.25, 0.5, 0.75], durationS: 10, backlog: 3000 },
        npmStartRuns: 2,
      };
}
