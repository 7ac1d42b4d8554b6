/**
 * Part 1: onTaskCompleted's subscriber route under load, against the same
 * consumer on bare node:http + pg (the limit), on DaprServer and on the
 * functions framework; with the database work and without it.
 */
import { alternate, type Contender } from "../alternate.js";
import { join } from "node:path";
import { NAMES, daprSdkEvent, gcfEvent, rawEvent, taskfnEventNoDb, taskfnFunction } from "../contenders.js";
import { startServer, type BenchContext } from "../context.js";
import { sleep } from "../../toolkit/net.js";
import { throughputRows, type Row } from "../report.js";
import type { Service } from "../service.js";

const PART = "1 event delivery";

/** Where daprd would deliver: the route the app announces on GET /dapr/subscribe. */
export async function announcedRoute(service: Service): Promise<string> {
  const response = await fetch(`http://127.0.0.1:${service.port}/dapr/subscribe`);
  const [subscription] = (await response.json()) as { route?: string; routes?: { rules?: { path: string }[] } }[];
  const route = subscription?.route ?? subscription?.routes?.rules?.[0]?.path;
  if (!route) throw new Error(`${service.name} announces no route`);
  return route.startsWith("/") ? route : `/${route}`;
}

/** Outbox rows a contender committed but never marked published: each one is an error. */
async function unpublishedBySource(ctx: BenchContext): Promise<Map<string, number>> {
  await sleep(500); // requests wrk gave up on at the end of a run may still be finishing
  const { rows } = await ctx.db.query("SELECT cloud_event->>'source' AS source, count(*)::int AS n FROM outbox_events WHERE published_at IS NULL GROUP BY 1");
  return new Map(rows.map((r: { source: string; n: number }) => [r.source, r.n]));
}

interface EventContender extends Contender {
  /** CloudEvent source of what it emits. */
  source: string;
}

async function startContenders(ctx: BenchContext, withoutDb: boolean): Promise<EventContender[]> {
  const withRoute = async (name: string, service: Service, source: string): Promise<EventContender> => ({
    name,
    service,
    source,
    luaEnv: { BENCH_EVENT_PATH: await announcedRoute(service) },
  });
  const contenders: EventContender[] = [];
  const taskfn = await startServer(ctx, withoutDb ? taskfnEventNoDb() : taskfnFunction("on-task-completed"));
  contenders.push(await withRoute(NAMES.taskfn, taskfn, "/taskfn/onTaskCompleted"));
  const { candidate } = ctx;
  if (candidate) {
    const definition = withoutDb
      ? taskfnEventNoDb(candidate.noDbBundle, candidate.nodeFlags)
      : taskfnFunction("on-task-completed", join(candidate.dist, "on-task-completed", "index.mjs"), candidate.nodeFlags);
    const service = await startServer(ctx, { ...definition, name: NAMES.candidate });
    // Its outbox rows carry the same source as taskfn's: unpublished ones are counted once, on the taskfn row.
    contenders.push(await withRoute(NAMES.candidate, service, "(counted on taskfn)"));
  }
  const limit = await startServer(ctx, rawEvent(withoutDb));
  contenders.push({ name: limit.name, service: limit, source: "/bench/raw", baseline: true });
  const sdk = await startServer(ctx, daprSdkEvent(withoutDb));
  contenders.push(await withRoute(sdk.name, sdk, "/bench/dapr-sdk"));
  const gcf = await startServer(ctx, gcfEvent(withoutDb));
  contenders.push({ name: gcf.name, service: gcf, source: "/bench/gcf" });
  return contenders;
}

export async function eventDelivery(ctx: BenchContext): Promise<Row[]> {
  const { config } = ctx;
  const rows: Row[] = [];
  const groups = [
    { withoutDb: false, mixes: config.recurringMixes, target: 0.95 },
    // Framework overhead alone: only non-recurring events, answered without a query.
    { withoutDb: true, mixes: [0], target: 0.9 },
  ];
  for (const group of groups) {
    const contenders = await startContenders(ctx, group.withoutDb);
    try {
      for (const mix of group.mixes) {
        for (const connections of config.concurrencies) {
          const scenario = group.withoutDb ? `no DB (parse, validate, ack), c=${connections}` : `DB, ${mix}% recurring, c=${connections}`;
          await ctx.db.reset();
          const measured = await alternate({
            label: `[${PART}] ${scenario}`,
            contenders,
            rounds: config.rounds,
            warmupS: config.warmupS,
            durationS: config.durationS,
            load: { script: "event.lua", connections, env: { BENCH_RECURRING_PCT: String(mix) } },
            log: ctx.log,
          });
          const cellRows = throughputRows(PART, scenario, measured, (name, row) =>
            name === NAMES.taskfn || name === NAMES.candidate ? { text: `≥ ${group.target}×`, met: (row.ratio ?? 0) >= group.target } : undefined,
          );
          if (!group.withoutDb) {
            const unpublished = await unpublishedBySource(ctx);
            for (const [i, row] of cellRows.entries()) row.errors!.other += unpublished.get(contenders[i]!.source) ?? 0;
          }
          rows.push(...cellRows);
        }
      }
    } finally {
      await Promise.all(contenders.map((c) => c.service.stop()));
    }
  }
  return rows;
}
