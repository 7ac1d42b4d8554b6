/**
 * Part 2: createTask and listTasks through their real bundles (JWT, validation,
 * outbox transaction, publish to the sidecar stand-in) against node:http + pg
 * doing the same work. listTasks is measured on the default page and on two
 * filter/sort sets, for a user with LIST_SEED tasks among as many of others'.
 */
import { alternate } from "../alternate.js";
import { join } from "node:path";
import { NAMES, rawHttp, taskfnFunction } from "../contenders.js";
import { startServer, tokenFor, type BenchContext } from "../context.js";
import type { Service } from "../service.js";
import { sleep } from "../../toolkit/net.js";
import { throughputRows, type Row, type Target } from "../report.js";

const PART = "2 HTTP functions";
/** createTask's users: its events are keyed by user, as in production (one user alone measures per-user order's queue). */
const CREATE_USERS = 64;
const LIST_USER = "bench-list";
/** Tasks of the listing user, and as many again spread over other users: every filter below has pages of matches. */
const LIST_SEED = 20_000;

async function seedListUser(ctx: BenchContext): Promise<void> {
  await ctx.db.query(
    `INSERT INTO tasks (id, user_id, series_id, title, description, priority, tags, due_at, remind_at, recurrence, completed, created_at, updated_at)
     SELECT id, CASE WHEN n <= $2 THEN $1 ELSE 'other-' || n % 100 END, id, 'Task ' || n || CASE WHEN n % 10 = 0 THEN ' invoice' ELSE '' END,
            'Seeded for listTasks', (ARRAY['low', 'medium', 'high'])[n % 3 + 1]::"Priority",
            CASE n % 4 WHEN 0 THEN ARRAY['work'] WHEN 1 THEN ARRAY['work', 'home'] ELSE ARRAY['home'] END,
            CASE WHEN n % 5 <> 0 THEN now() + (n % 500) * interval '1 hour' END, NULL, CASE WHEN n % 3 = 0 THEN 'FREQ=DAILY' END,
            n % 2 = 0, now() - n * interval '1 second', now() - (n % 1000) * interval '1 second'
     FROM (SELECT gen_random_uuid() AS id, n FROM generate_series(1, 2 * $2) AS n) AS s`,
    [LIST_USER, LIST_SEED],
  );
  // After the bulk load, VACUUM as well: otherwise the first requests to read each page
  // set its hint bits (writes), and autovacuum, due after so many inserts, starts at some
  // moment of the cell and slows whichever server is being measured then.
  await ctx.db.query("VACUUM ANALYZE tasks");
}

/** Issue 11: listTasks with filters and sorts at ≥ 0.9× the same SQL on node:http + pg. */
function listTasksTarget(row: Row): Target {
  return { text: "≥ 0.9×", met: (row.ratio ?? 0) >= 0.9 };
}

function createTaskTarget(row: Row, baseline: Row): Target {
  const p99Ratio = (row.p99 ?? Infinity) / (baseline.p99 ?? 0);
  return { text: `≥ 0.8×, p99 ≤ 1.5× (${p99Ratio.toFixed(2)}×)`, met: (row.ratio ?? 0) >= 0.8 && p99Ratio <= 1.5 };
}

export async function httpFunctions(ctx: BenchContext): Promise<Row[]> {
  const { config } = ctx;
  const rows: Row[] = [];
  let relay: Promise<Service> | undefined;
  try {
    const listEnv = async (query: string) => ({ BENCH_USERS: `${LIST_USER}=${await tokenFor(ctx, LIST_USER)}`, BENCH_QUERY: query });
    const createEnv = async (users: number) => {
      const names = Array.from({ length: users }, (_, n) => `bench-create-${n}`);
      return { BENCH_USERS: (await Promise.all(names.map(async (name) => `${name}=${await tokenFor(ctx, name)}`))).join(" ") };
    };
    const listCase = async (label: string, query: string) => ({
      appId: "list-tasks",
      label,
      script: "list-tasks.lua",
      env: await listEnv(query),
      target: listTasksTarget,
    });
    const cases: { appId: string; label: string; script: string; env: Record<string, string>; target?: (row: Row, baseline: Row) => Target }[] = [
      {
        appId: "create-task",
        label: `create-task, ${CREATE_USERS} users`,
        script: "create-task.lua",
        env: await createEnv(CREATE_USERS),
        target: createTaskTarget,
      },
      // Per-user order's queue: one user's writes take turns, and what waits behind
      // an event still being published is left to relayOutbox, which this cell runs.
      { appId: "create-task", label: "create-task, one user", script: "create-task.lua", env: await createEnv(1) },
      await listCase("list-tasks", "status=open&limit=50"),
      await listCase("list-tasks tag+priority by dueAt", "tag=work&priority=high&sort=dueAt&order=asc&limit=50"),
      await listCase("list-tasks search, all, by updatedAt", "q=invoice&status=all&sort=updatedAt&limit=50"),
    ];
    for (const c of cases) {
      // Both sides start afresh for each case: a baseline kept warm (JIT, its
      // connections' caches) beside a function just started measured the start.
      const limit = await startServer(ctx, rawHttp());
      const fn = await startServer(ctx, taskfnFunction(c.appId));
      const { candidate } = ctx;
      const patched = candidate
        ? await startServer(ctx, { ...taskfnFunction(c.appId, join(candidate.dist, c.appId, "index.mjs"), candidate.nodeFlags), name: NAMES.candidate })
        : undefined;
      try {
        for (const connections of config.concurrencies) {
          const scenario = `${c.label}, c=${connections}`;
          await ctx.db.reset();
          if (c.appId === "list-tasks") await seedListUser(ctx);
          const measured = await alternate({
            label: `[${PART}] ${scenario}`,
            contenders: [
              { name: NAMES.taskfn, service: fn },
              ...(patched ? [{ name: NAMES.candidate, service: patched }] : []),
              { name: limit.name, service: limit, baseline: true },
            ],
            rounds: config.rounds,
            warmupS: config.warmupS,
            durationS: config.durationS,
            load: { script: c.script, connections, env: c.env },
            log: ctx.log,
          });
          await sleep(500); // let requests wrk abandoned at the end finish their publish
          const relayed = c.appId === "create-task" ? await drainWithRelay(ctx, () => (relay ??= startServer(ctx, taskfnFunction("relay-outbox")))) : undefined;
          const cellRows = throughputRows(PART, relayed ? `${scenario} (${relayed})` : scenario, measured, (_name, row, baseline) => c.target?.(row, baseline));
          const { rows: unpublished } = await ctx.db.query(
            "SELECT cloud_event->>'source' LIKE '/taskfn/%' AS taskfn, count(*)::int AS n FROM outbox_events WHERE published_at IS NULL GROUP BY 1",
          );
          // taskfn's and the candidate's rows share a source: counted once, on taskfn's row.
          for (const u of unpublished as { taskfn: boolean; n: number }[]) cellRows[u.taskfn ? 0 : cellRows.length - 1]!.errors!.other += u.n;
          rows.push(...cellRows);
        }
      } finally {
        await Promise.all([limit.stop(), fn.stop(), patched?.stop()]);
      }
    }
  } finally {
    await (await relay)?.stop();
  }
  return rows;
}

const RELAY_DRAIN_MS = 30_000;

/**
 * Events a writer left waiting (behind one of its user's events still being
 * published) are relayOutbox's in production: the real relay ticks until none of
 * taskfn's is left (bounded), and whatever it cannot publish stays an error.
 */
async function drainWithRelay(ctx: BenchContext, relay: () => Promise<Service>): Promise<string | undefined> {
  const waiting = async () =>
    (await ctx.db.query("SELECT count(*)::int AS n FROM outbox_events WHERE published_at IS NULL AND cloud_event->>'source' LIKE '/taskfn/%'")).rows[0]
      .n as number;
  const left = await waiting();
  if (left === 0) return undefined;
  const { port } = await relay();
  const started = performance.now();
  while ((await waiting()) > 0 && performance.now() - started < RELAY_DRAIN_MS) {
    await fetch(`http://127.0.0.1:${port}/outbox-cron`, { method: "POST" });
    await sleep(1_000);
  }
  return `${left} events left to relayOutbox, published by it within ${((performance.now() - started) / 1000).toFixed(0)} s`;
}
