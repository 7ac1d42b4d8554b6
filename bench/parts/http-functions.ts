/**
 * Part 2: createTask and listTasks through their real bundles (JWT, validation,
 * outbox transaction, publish to the sidecar stand-in) against node:http + pg
 * doing the same work.
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
/** Enough for a full first page (50) plus older ones. */
const LIST_SEED = 200;

async function seedListUser(ctx: BenchContext): Promise<void> {
  await ctx.db.query(
    `INSERT INTO tasks (id, user_id, series_id, title, description, priority, tags, due_at, remind_at, recurrence, created_at)
     SELECT id, $1, id, 'Task ' || n, 'Seeded for listTasks', 'medium', ARRAY['home','bench'], now() + n * interval '1 hour',
            now() + n * interval '1 hour' - interval '15 minutes', CASE WHEN n % 3 = 0 THEN 'FREQ=DAILY' END, now() - n * interval '1 second'
     FROM (SELECT gen_random_uuid() AS id, n FROM generate_series(1, $2) AS n) AS s`,
    [LIST_USER, LIST_SEED],
  );
  await ctx.db.query("ANALYZE tasks");
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
    const cases = [
      { appId: "create-task", user: CREATE_USER, script: "create-task.lua", target: createTaskTarget },
      { appId: "list-tasks", user: LIST_USER, script: "list-tasks.lua", target: undefined },
    ];
    for (const c of cases) {
      const fn = await startServer(ctx, taskfnFunction(c.appId));
      const { candidate } = ctx;
      const patched = candidate
        ? await startServer(ctx, { ...taskfnFunction(c.appId, join(candidate.dist, c.appId, "index.mjs"), candidate.nodeFlags), name: NAMES.candidate })
        : undefined;
      try {
        const env = { BENCH_USER: c.user, BENCH_TOKEN: await tokenFor(ctx, c.user) };
        for (const connections of config.concurrencies) {
          const scenario = `${c.appId}, c=${connections}`;
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
