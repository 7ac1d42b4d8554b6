/**
 * Part 4: recurring tasks completed through completeTask on the real stack
 * (each function beside its own daprd, Kafka between them): the consumer's
 * throughput through daprd + Kafka against its direct-HTTP rate, the pipeline's
 * saturation end to end, and the time from a complete response to the next
 * instance being committed at fixed fractions of that saturation; with one and
 * two onTaskCompleted replicas.
 */
import { appendFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { completeTask } from "../../functions/complete-task/definition.js";
import { onTaskCompleted } from "../../functions/on-task-completed/definition.js";
import { subscriberPath } from "../../runtime/topic-trigger.js";
import { startAppInstance, type AppInstance } from "../../toolkit/app-instance.js";
import { renderDaprResources } from "../../toolkit/dapr-resources.js";
import { startKafka } from "../../toolkit/kafka.js";
import { TASKFN_TOPICS } from "../../toolkit/topics.js";
import type { BuiltBundle } from "./cold-start.js";
import { tokenFor, type BenchContext } from "../context.js";
import { freePort, sleep } from "../../toolkit/net.js";
import { pace, type PacedRequest } from "../pacer.js";
import { noErrors, type Row } from "../report.js";
import { quantile, spread } from "../stats.js";
import { runWrk } from "../wrk.js";

const PART = "4 pipeline (daprd + Kafka)";
/** Events are keyed by user: enough users spread them over every partition of `tasks`. */
const USERS = 64;
const DRAIN_TIMEOUT_MS = 180_000;

interface Seeded {
  id: string;
  userId: string;
}

/** Open recurring tasks, first of their series, spread over the users. */
async function seedRecurring(ctx: BenchContext, count: number): Promise<Seeded[]> {
  const { rows } = await ctx.db.query(
    `INSERT INTO tasks (id, user_id, series_id, title, priority, tags, due_at, remind_at, recurrence)
     SELECT id, 'user-' || (n % ${USERS}), id, 'Water the plants', 'medium', ARRAY['home'], '2026-12-01T09:00:00Z', '2026-12-01T08:45:00Z', 'FREQ=DAILY'
     FROM (SELECT gen_random_uuid() AS id, n FROM generate_series(1, $1) AS n) AS s
     RETURNING id::text, user_id`,
    [count],
  );
  return (rows as { id: string; user_id: string }[]).map((r) => ({ id: r.id, userId: r.user_id }));
}

function completeRequests(tasks: Seeded[], tokens: Map<string, string>): PacedRequest[] {
  return tasks.map((t) => ({ method: "POST", path: `/api/${t.userId}/tasks/${t.id}/complete`, headers: { authorization: `Bearer ${tokens.get(t.userId)}` } }));
}

interface NextInstance {
  seriesId: string;
  /** Epoch ms, from track_commit_timestamp. */
  committedAt: number;
}

/** The next instances of `tasks` committed within `timeoutMs` (polled; those of all once they are). */
async function nextInstancesWithin(ctx: BenchContext, tasks: Seeded[], timeoutMs: number): Promise<NextInstance[]> {
  const series = tasks.map((t) => t.id);
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const { rows } = await ctx.db.query(
      "SELECT series_id::text AS s, extract(epoch FROM pg_xact_commit_timestamp(xmin)) * 1000 AS committed FROM tasks WHERE occurrence = 2 AND series_id = ANY($1::uuid[])",
      [series],
    );
    if (rows.length === tasks.length || performance.now() > deadline)
      return (rows as { s: string; committed: string }[]).map((r) => ({ seriesId: r.s, committedAt: Number(r.committed) }));
    await sleep(250);
  }
}

/** Every next instance of `tasks`, or an error after `timeoutMs`. */
async function allNextInstances(ctx: BenchContext, tasks: Seeded[], what: string, timeoutMs: number): Promise<NextInstance[]> {
  const seen = await nextInstancesWithin(ctx, tasks, timeoutMs);
  if (seen.length < tasks.length)
    throw new Error(`${what}: ${tasks.length - seen.length} of ${tasks.length} next instances missing after ${timeoutMs / 1000} s`);
  return seen;
}

async function waitUntil(what: string, timeoutMs: number, check: () => Promise<boolean>): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!(await check())) {
    if (performance.now() > deadline) throw new Error(`${what}: not done after ${timeoutMs / 1000} s`);
    await sleep(250);
  }
}

/**
 * Latencies are read after the fact from commit timestamps: polling for each next
 * instance while the pipeline runs put a query over every pending series on the
 * database every few milliseconds, load that grew with the offered rate.
 */
async function requireCommitTimestamps(ctx: BenchContext): Promise<void> {
  const { rows } = await ctx.db.query("SHOW track_commit_timestamp");
  if ((rows[0] as { track_commit_timestamp: string }).track_commit_timestamp !== "on") {
    throw new Error(`[${PART}] needs track_commit_timestamp = on in the database DATABASE_URL names (the benchmark's own PostgreSQL has it)`);
  }
}

/** `server`: the name its rows carry (taskfn, or the candidate's bundles). */
export async function pipeline(ctx: BenchContext, bundles: BuiltBundle[], server: string): Promise<Row[]> {
  const { config, log } = ctx;
  const bundleOf = (appId: string) => bundles.find((b) => b.appId === appId)!.bundle;
  const dir = await mkdtemp(join(tmpdir(), "taskfn-bench-stack-"));
  const print = (source: string, line: string) => appendFileSync(join(ctx.logDir, `stack-${source.replace(/[^\w.-]+/g, "_")}.log`), `${line}\n`);
  const stops: (() => Promise<void>)[] = [];
  const rows: Row[] = [];
  const instance = async (definition: typeof completeTask | typeof onTaskCompleted, name: string, resourcesPath: string) =>
    startAppInstance({
      definition,
      name,
      bundle: bundleOf(definition.appId),
      port: await freePort(),
      resourcesPath,
      env: { DATABASE_URL: ctx.db.url, AUTH_JWT_SECRET: ctx.jwtSecret, NODE_ENV: "production" },
      daprLogLevel: "warn",
      log: print,
    });
  try {
    await requireCommitTimestamps(ctx);
    log(`[${PART}] starting Kafka and completeTask with its daprd…`);
    const kafka = await startKafka({ dataDir: join(dir, "kafka"), topics: TASKFN_TOPICS, log: (line) => print("kafka", line) });
    stops.push(() => kafka.stop());
    const resourcesPath = await renderDaprResources({ dir: join(dir, "dapr-resources"), brokers: kafka.brokers });
    const complete = await instance(completeTask, "complete-task", resourcesPath);
    stops.push(() => complete.stop());
    const tokens = new Map(await Promise.all(Array.from({ length: USERS }, async (_, i) => [`user-${i}`, await tokenFor(ctx, `user-${i}`)] as const)));

    for (const replicas of [1, 2]) {
      const label = `${replicas} onTaskCompleted replica${replicas > 1 ? "s" : ""}`;
      const progress = `${server}, ${label}`;
      await ctx.db.reset();
      log(`[${PART}] ${progress}: starting…`);
      const consumers: AppInstance[] = [];
      try {
        for (let i = 1; i <= replicas; i++)
          consumers.push(await instance(onTaskCompleted, i === 1 ? "on-task-completed" : `on-task-completed#${i}`, resourcesPath));

        // The consumer driven directly (no daprd, no Kafka), every replica at once, after a warm-up.
        const driveDirectly = (durationS: number) =>
          Promise.all(
            consumers.map((c) =>
              runWrk({
                url: `http://127.0.0.1:${c.port}`,
                script: "event.lua",
                connections: 32 / replicas,
                durationS,
                env: { BENCH_RECURRING_PCT: "100", BENCH_DAPR_API_TOKEN: c.appApiToken, BENCH_EVENT_PATH: subscriberPath(onTaskCompleted.trigger) },
              }),
            ),
          );
        const warmup = await driveDirectly(config.warmupS + 1);
        const direct = await driveDirectly(Math.max(4, config.durationS * 2));
        const directRate = direct.reduce((sum, r) => sum + r.rps, 0);
        const directErrors = { ...noErrors() };
        for (const r of [...warmup, ...direct]) {
          directErrors.status += r.errors.status;
          directErrors.body += r.errors.body;
          directErrors.socket += r.errors.socket;
        }
        log(`[${PART}] ${progress}: direct HTTP ${directRate.toFixed(0)} events/s`);

        // Backlog: completions queued in Kafka while the consumers' sidecars are down, then drained.
        await sleep(1_000); // requests wrk abandoned at the end of its run finish first
        await Promise.all(consumers.map((c) => c.stopSidecar()));
        const backlog = await seedRecurring(ctx, config.pipeline.backlog);
        const producing = performance.now();
        const produced = await pace({ port: complete.port, rate: 100_000, maxInFlight: 32, requests: completeRequests(backlog, tokens) });
        // completeTask's own throughput, closed loop at 32 in flight, with the consumers' sidecars down.
        const completeRate = (backlog.length * 1000) / (Math.max(...produced.responses.map((r) => r.at ?? 0)) - producing);
        const produceErrors = produced.responses.filter((r) => r.status !== 200).length;
        await waitUntil(
          "completeTask's outbox published",
          30_000,
          async () =>
            (await ctx.db.query("SELECT 1 FROM outbox_events WHERE published_at IS NULL AND cloud_event->>'type' = 'task.completed' LIMIT 1")).rowCount === 0,
        );
        log(`[${PART}] ${progress}: ${backlog.length} completions queued in Kafka; draining…`);
        await Promise.all(consumers.map((c) => c.startSidecar()));
        const drained = await allNextInstances(ctx, backlog, `draining ${backlog.length} events`, DRAIN_TIMEOUT_MS);
        const times = drained.map((d) => d.committedAt).sort((a, b) => a - b);
        const drainRate = ((times.length - 1) * 1000) / (times[times.length - 1]! - times[0]!);
        log(`[${PART}] ${progress}: completeTask ${completeRate.toFixed(0)} completions/s; drained at ${drainRate.toFixed(0)} events/s`);
        rows.push(
          {
            part: PART,
            scenario: `completeTask through its daprd (closed loop, 32 in flight), ${label}`,
            server,
            metric: "req/s",
            value: spread([completeRate]),
            errors: { ...noErrors(), status: produceErrors },
          },
          {
            part: PART,
            scenario: `consumer, ${label}: direct HTTP (wrk c32)`,
            server,
            metric: "events/s",
            value: spread([directRate]),
            ratio: 1,
            errors: directErrors,
          },
          {
            part: PART,
            scenario: `consumer, ${label}: through daprd + Kafka (${backlog.length}-event backlog)`,
            server,
            metric: "events/s",
            value: spread([drainRate]),
            ratio: drainRate / directRate,
            target: { text: "≥ 0.8×", met: drainRate / directRate >= 0.8 },
          },
        );

        // The pipeline's saturation: completions sent closed loop while the consumers
        // run, from the first one sent to the last next instance committed. Each stage
        // measured alone (above) overstates it: here they share the machine's CPU.
        const burst = await seedRecurring(ctx, config.pipeline.backlog);
        log(`[${PART}] ${progress}: ${burst.length} completions end to end, closed loop…`);
        const sentAt = performance.timeOrigin + performance.now();
        const burstRun = await pace({ port: complete.port, rate: 100_000, maxInFlight: 32, requests: completeRequests(burst, tokens) });
        const through = await allNextInstances(ctx, burst, `${burst.length} completions end to end`, DRAIN_TIMEOUT_MS);
        const saturation = (burst.length * 1000) / (Math.max(...through.map((t) => t.committedAt)) - sentAt);
        log(`[${PART}] ${progress}: end to end ${saturation.toFixed(0)} completions/s`);
        rows.push({
          part: PART,
          scenario: `saturation, ${label}: ${burst.length} completions closed loop (32 in flight) → last next instance committed`,
          server,
          metric: "events/s",
          value: spread([saturation]),
          errors: { ...noErrors(), status: burstRun.responses.filter((r) => r.status !== 200).length },
        });

        // Fixed offered rates, as fractions of that saturation.
        for (const load of config.pipeline.loads) {
          const rate = Math.max(1, Math.round(load * saturation));
          const tasks = await seedRecurring(ctx, Math.max(10, Math.round(rate * config.pipeline.durationS)));
          log(`[${PART}] ${progress}: ${Math.round(load * 100)} % load, ${rate} completions/s for ${config.pipeline.durationS} s…`);
          const paced = await pace({ port: complete.port, rate, requests: completeRequests(tasks, tokens) });
          // The missing ones are reported in the row.
          const seen = await nextInstancesWithin(ctx, tasks, (config.pipeline.durationS + 15) * 1000);
          const committedAt = new Map(seen.map((s) => [s.seriesId, s.committedAt]));
          const latencies = tasks.flatMap((t, i) => {
            const answered = paced.responses[i]?.at;
            const committed = committedAt.get(t.id);
            return answered !== undefined && committed !== undefined ? [Math.max(0, committed - (performance.timeOrigin + answered))] : [];
          });
          const p50 = quantile(latencies, 0.5);
          const p99 = quantile(latencies, 0.99);
          log(
            `[${PART}] ${progress}: ${Math.round(load * 100)} % load: p50 ${p50.toFixed(0)} ms, p99 ${p99.toFixed(0)} ms, ${tasks.length - seen.length} missing`,
          );
          rows.push({
            part: PART,
            scenario: `complete → next instance committed, ${label}, ${Math.round(load * 100)} % of saturation (${rate}/s offered, ${paced.achievedRate.toFixed(0)}/s sent)`,
            server,
            metric: "ms",
            value: { median: p50, min: Math.min(...latencies), max: Math.max(...latencies) },
            p50,
            p99,
            target: load === 0.5 ? { text: "p99 < 500 ms", met: p99 < 500 } : undefined,
            errors: { ...noErrors(), status: paced.responses.filter((r) => r.status !== 200).length, other: tasks.length - seen.length },
          });
        }
      } finally {
        await Promise.all(consumers.map((c) => c.stop()));
      }
    }
  } finally {
    for (const stop of stops.reverse()) await stop().catch(() => {});
    await rm(dir, { recursive: true, force: true });
  }
  return rows;
}
