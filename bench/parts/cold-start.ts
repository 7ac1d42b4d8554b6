/**
 * Part 3: spawn → first 2xx on the health route for every function bundle, and
 * the RSS it then sits at, against a bare node:http server (and, for context,
 * the alternatives' servers). Twice: on the Node running the bench, and on the
 * image's Node (the Dockerfile's NODE_IMAGE, installed from npm), where each
 * function also starts from its startup snapshot as the image does. Each row's
 * ratio is to the bare server on the same Node. Spawns alternate across all
 * servers like load rounds.
 */
import { execFileSync } from "node:child_process";
import { readdir, stat } from "node:fs/promises";
import { dirname, join } from "node:path";
import { FUNCTIONS } from "../../functions/catalog.js";
import { buildSnapshots, snapshotBlobPath } from "../../toolkit/build-snapshot.js";
import { DIST_DIR, NODE_BUNDLE_OPTIONS } from "../../toolkit/build.js";
import { imageNodeVersion, installNode } from "../../toolkit/image-node.js";
import { ROOT } from "../../toolkit/paths.js";
import { bare, daprSdkEvent, gcfEvent, rawEvent, taskfnFunction, taskfnSnapshot } from "../contenders.js";
import { startServer, type BenchContext, type ServerDefinition } from "../context.js";
import { sleep, waitHealthy } from "../../toolkit/net.js";
import { CLOCK_TICKS } from "../proc-stat.js";
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

interface Server {
  definition: ServerDefinition;
  isFunction: boolean;
  bundle?: string;
  /** Index of the bare server on the same Node: its baseline. */
  bare: number;
}

export async function coldStart(ctx: BenchContext, bundles: BuiltBundle[]): Promise<Row[]> {
  const { candidate } = ctx;
  const imageNode = await installNode(await imageNodeVersion());
  const imageVersion = execFileSync(imageNode, ["-p", "process.versions.node"], { encoding: "utf8" }).trim();
  const functions = FUNCTIONS.filter((f) => bundles.some((b) => b.appId === f.appId));
  ctx.log(`[${PART}] building ${functions.length} startup snapshots with Node ${imageVersion}`);
  await buildSnapshots({ root: ROOT, outdir: DIST_DIR, functions, node: imageNode, target: NODE_BUNDLE_OPTIONS.target });

  const servers: Server[] = [];
  const add = (node: string, definitions: { definition: ServerDefinition; isFunction: boolean; bundle?: string }[]) => {
    const bareIndex = servers.length;
    const version = node === process.execPath ? process.versions.node : imageVersion;
    for (const d of [{ definition: bare(node), isFunction: false }, ...definitions]) {
      servers.push({ ...d, definition: { ...d.definition, name: `${d.definition.name} · Node ${version}` }, bare: bareIndex });
    }
  };
  add(process.execPath, [
    ...bundles.flatMap((b) => {
      const own = { definition: taskfnFunction(b.appId, b.bundle), isFunction: true, bundle: b.bundle };
      if (!candidate) return [own];
      const bundle = join(candidate.dist, b.appId, "index.mjs");
      return [own, { definition: { ...taskfnFunction(b.appId, bundle, candidate.nodeFlags), name: `${b.appId} (candidate)` }, isFunction: true, bundle }];
    }),
    { definition: rawEvent(false), isFunction: false },
    { definition: daprSdkEvent(false), isFunction: false },
    { definition: gcfEvent(false), isFunction: false },
  ]);
  add(imageNode, [
    ...bundles.flatMap((b) => [
      { definition: taskfnFunction(b.appId, b.bundle, [], imageNode), isFunction: true, bundle: b.bundle },
      { definition: taskfnSnapshot(b.appId, snapshotBlobPath(b.bundle), imageNode), isFunction: true },
    ]),
    { definition: rawEvent(false, imageNode), isFunction: false },
  ]);
  const samples = servers.map(() => ({ healthyMs: [] as number[], healthyCpuMs: [] as number[], readyMs: [] as number[], rss: [] as number[], failures: 0 }));
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
        // CPU the process spent to get there, read right after /healthz answered: on a
        // shared machine it varies far less than the wall-clock time (10 ms ticks).
        const healthyCpuMs = (service.cpuTicks() * 1000) / CLOCK_TICKS;
        const { readyPath } = servers[index]!.definition;
        const readyMs = readyPath ? await waitHealthy(service.port, readyPath, { since: service.startedAt, alive: service.alive }) : service.readyMs;
        await sleep(ctx.config.idleSettleMs);
        s.rss.push(service.memory().rss);
        s.healthyMs.push(service.readyMs);
        s.healthyCpuMs.push(healthyCpuMs);
        s.readyMs.push(readyMs);
      } catch (error) {
        s.failures++;
        ctx.log(`[${PART}] ${service.name} died while idle: ${(error as Error).message}`);
      } finally {
        await service.stop();
      }
    }
  }

  const bareStart = (i: number) => spread(samples[servers[i]!.bare]!.healthyMs).median;
  const bareRss = (i: number) => spread(samples[servers[i]!.bare]!.rss).median;
  const bareCpu = (i: number) => spread(samples[servers[i]!.bare]!.healthyCpuMs).median;
  const rows: Row[] = [];
  const row = (scenario: string, server: string, metric: string, values: number[], baseline?: number, target?: number, errors?: Row["errors"]): Row => {
    const value = spread(values);
    const ratio = baseline === undefined ? undefined : value.median / baseline;
    return {
      part: PART,
      scenario,
      server,
      metric,
      value,
      ratio,
      target: target && ratio !== undefined ? { text: `≤ ${target}×`, met: ratio <= target } : undefined,
      errors,
    };
  };
  for (const [i, server] of servers.entries()) {
    const s = samples[i]!;
    const name = server.isFunction ? `taskfn ${server.definition.name}` : server.definition.name;
    const target = server.isFunction ? 1.3 : undefined;
    rows.push(row("spawn → first /healthz 2xx", name, "ms", s.healthyMs, bareStart(i), target, { ...noErrors(), other: s.failures }));
    rows.push(row("CPU (user + sys) until the first /healthz", name, "ms", s.healthyCpuMs, bareCpu(i)));
    if (server.definition.readyPath) rows.push(row("spawn → ready (/readyz 2xx: database answers)", name, "ms", s.readyMs, bareStart(i)));
    rows.push(row("RSS when ready and idle", name, "MiB", s.rss, bareRss(i), target === undefined ? undefined : 1.2));
    if (server.bundle && server.definition.command === process.execPath)
      rows.push(row("bundle: index.mjs + its chunks", name, "KiB", [(await bundleBytes(server.bundle)) / 1024]));
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
