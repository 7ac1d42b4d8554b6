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
import { sleep } from "../../toolkit/net.js";
import { throughputRows, type Row, type Target } from "../report.js";

const PART = "2 HTTP functions";
const CREATE_USER = "bench-create";
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
  await ctx.db.query("ANALYZE tasks");
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
  const limit = await startServer(ctx, rawHttp());
  try {
    const listCase = (label: string, query: string) => ({
      appId: "list-tasks",
      label,
      user: LIST_USER,
      script: "list-tasks.lua",
      query,
      target: listTasksTarget,
    });
    const cases = [
      { appId: "create-task", label: "create-task", user: CREATE_USER, script: "create-task.lua", query: "", target: createTaskTarget },
      listCase("list-tasks", "status=open&limit=50"),
      listCase("list-tasks tag+priority by dueAt", "tag=work&priority=high&sort=dueAt&order=asc&limit=50"),
      listCase("list-tasks search, all, by updatedAt", "q=invoice&status=all&sort=updatedAt&limit=50"),
    ];
    for (const c of cases) {
      const fn = await startServer(ctx, taskfnFunction(c.appId));
      const { candidate } = ctx;
      const patched = candidate
        ? await startServer(ctx, { ...taskfnFunction(c.appId, join(candidate.dist, c.appId, "index.mjs"), candidate.nodeFlags), name: NAMES.candidate })
        : undefined;
      try {
        const env = { BENCH_USER: c.user, BENCH_TOKEN: await tokenFor(ctx, c.user), BENCH_QUERY: c.query };
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
            load: { script: c.script, connections, env },
            log: ctx.log,
          });
          const cellRows = throughputRows(PART, scenario, measured, (_name, row, baseline) => c.target?.(row, baseline));
          await sleep(500); // let requests wrk abandoned at the end finish their publish
          const { rows: unpublished } = await ctx.db.query(
            "SELECT cloud_event->>'source' LIKE '/taskfn/%' AS taskfn, count(*)::int AS n FROM outbox_events WHERE published_at IS NULL GROUP BY 1",
          );
          // taskfn's and the candidate's rows share a source: counted once, on taskfn's row.
          for (const u of unpublished as { taskfn: boolean; n: number }[]) cellRows[u.taskfn ? 0 : cellRows.length - 1]!.errors!.other += u.n;
          rows.push(...cellRows);
        }
      } finally {
        await fn.stop();
        await patched?.stop();
      }
    }
  } finally {
    await limit.stop();
  }
  return rows;
}
