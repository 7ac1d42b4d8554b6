/**
 * Part 3: spawn → first 2xx on the health route for every function bundle, and
 * the RSS it then sits at, against a bare node:http server (and, for context,
 * the alternatives' servers). Spawns alternate across servers like load rounds.
 */
import { readdir, stat } from "node:fs/promises";
import { dirname, join } from "node:path";
import { bare, daprSdkEvent, gcfEvent, rawEvent, taskfnFunction } from "../contenders.js";
import { startServer, type BenchContext, type ServerDefinition } from "../context.js";
import { sleep, waitHealthy } from "../../toolkit/net.js";
import type { Service } from "../service.js";
import { noErrors, type Row } from "../report.js";
import { spread } from "../stats.js";

const PART = "3 cold start & memory";

export interface BuiltBundle {
  appId: string;
  bundle: string;
}

/**
 * One retry: on a shared machine a spawn can fail for reasons of its own (a port
 * taken between the probe and the listen). Two failures in a row count as an error.
 */
async function startWithRetry(ctx: BenchContext, definition: ServerDefinition): Promise<Service | undefined> {
  for (let attempt = 1; attempt <= 2; attempt++) {
    try {
      const service = await startServer(ctx, definition);
      // Read once now: a process that died right after answering fails here, not later.
      service.memory();
      return service;
    } catch (error) {
      ctx.log(`[${PART}] ${definition.name} failed to start (attempt ${attempt}): ${(error as Error).message.split("\n")[0]}`);
    }
  }
  return undefined;
}

export async function coldStart(ctx: BenchContext, bundles: BuiltBundle[]): Promise<Row[]> {
  const { candidate } = ctx;
  const servers: { definition: ServerDefinition; isFunction: boolean; bundle?: string }[] = [
    { definition: bare(), isFunction: false },
    ...bundles.flatMap((b) => {
      const own = { definition: taskfnFunction(b.appId, b.bundle), isFunction: true, bundle: b.bundle };
      if (!candidate) return [own];
      const bundle = join(candidate.dist, b.appId, "index.mjs");
      return [own, { definition: { ...taskfnFunction(b.appId, bundle, candidate.nodeFlags), name: `${b.appId} (candidate)` }, isFunction: true, bundle }];
    }),
    { definition: rawEvent(false), isFunction: false },
    { definition: daprSdkEvent(false), isFunction: false },
    { definition: gcfEvent(false), isFunction: false },
  ];
  const samples = servers.map(() => ({ healthyMs: [] as number[], readyMs: [] as number[], rss: [] as number[], failures: 0 }));
  for (let spawn = 0; spawn < ctx.config.coldStartSpawns; spawn++) {
    ctx.log(`[${PART}] spawn ${spawn + 1}/${ctx.config.coldStartSpawns} of ${servers.length} servers`);
    for (let i = 0; i < servers.length; i++) {
      const index = (spawn + i) % servers.length;
      const s = samples[index]!;
      const service = await startWithRetry(ctx, servers[index]!.definition);
      if (!service) {
        s.failures++;
        continue;
      }
      try {
        const { readyPath } = servers[index]!.definition;
        const readyMs = readyPath ? await waitHealthy(service.port, readyPath, { since: service.startedAt, alive: service.alive }) : service.readyMs;
        await sleep(ctx.config.idleSettleMs);
        s.rss.push(service.memory().rss);
        s.healthyMs.push(service.readyMs);
        s.readyMs.push(readyMs);
      } catch (error) {
        s.failures++;
        ctx.log(`[${PART}] ${service.name} died while idle: ${(error as Error).message}`);
      } finally {
        await service.stop();
      }
    }
  }

  const bareStart = spread(samples[0]!.healthyMs).median;
  const bareRss = spread(samples[0]!.rss).median;
  const rows: Row[] = [];
  const row = (scenario: string, server: string, metric: string, values: number[], baseline?: number, target?: number, errors?: Row["errors"]): Row => {
    const value = spread(values);
    const ratio = baseline === undefined ? undefined : value.median / baseline;
    return { part: PART, scenario, server, metric, value, ratio, target: target && ratio !== undefined ? { text: `≤ ${target}×`, met: ratio <= target } : undefined, errors };
  };
  for (const [i, server] of servers.entries()) {
    const s = samples[i]!;
    const name = server.isFunction ? `taskfn ${server.definition.name}` : server.definition.name;
    const target = server.isFunction ? 1.3 : undefined;
    rows.push(row("spawn → first /healthz 2xx", name, "ms", s.healthyMs, bareStart, target, { ...noErrors(), other: s.failures }));
    if (server.definition.readyPath) rows.push(row("spawn → ready (/readyz 2xx: database answers)", name, "ms", s.readyMs, bareStart));
    rows.push(row("RSS when ready and idle", name, "MiB", s.rss, bareRss, target));
    if (server.bundle) rows.push(row("bundle: index.mjs + its chunks", name, "KiB", [(await bundleBytes(server.bundle)) / 1024]));
  }
  return rows;
}

/** The entry file and any chunks esbuild split off beside it. */
async function bundleBytes(bundle: string): Promise<number> {
  const dir = dirname(bundle);
  const files = (await readdir(dir)).filter((f) => f.endsWith(".mjs"));
  const sizes = await Promise.all(files.map(async (f) => (await stat(join(dir, f))).size));
  return sizes.reduce((a, b) => a + b, 0);
}
