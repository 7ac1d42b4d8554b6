/**
 * `npm run bench`: builds the functions, starts what it measures (PostgreSQL, a
 * sidecar stand-in, the servers, for part 4 Kafka and daprd), drives it with wrk
 * on loopback, and prints one table (also written to bench/results/: latest.md for
 * a full run, quick.md for BENCH_QUICK=1, parts-<n>.md for BENCH_PARTS=<n>,…).
 * Any error in any measurement fails the run. BENCH_QUICK=1: a short smoke run.
 */
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdtemp, mkdir, writeFile } from "node:fs/promises";
import { cpus, loadavg, tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { buildFunctions } from "../toolkit/build.js";
import { bundleBenchServers } from "./bundle.js";
import { readBenchConfig } from "./config.js";
import { NAMES, PRODUCTION_NODE_FLAGS } from "./contenders.js";
import type { BenchContext, Candidate } from "./context.js";
import { coldStart } from "./parts/cold-start.js";
import { eventDelivery } from "./parts/event-delivery.js";
import { httpFunctions } from "./parts/http-functions.js";
import { npmStart } from "./parts/npm-start.js";
import { pipeline } from "./parts/pipeline.js";
import { startBenchDatabase } from "./postgres.js";
import { errorTotal, renderTable, type Row } from "./report.js";
import { startSidecarStub } from "./service.js";

const RESULTS_DIR = fileURLToPath(new URL("./results/", import.meta.url));
const config = readBenchConfig();
const started = performance.now();
const log = (line: string) => console.log(`[${((performance.now() - started) / 1000).toFixed(0).padStart(4)}s] ${line}`);

// The whole run is bounded: whatever hangs, the process ends (and service.ts kills its children).
// (A candidate measured beside taskfn makes parts 1–4 run about twice as long.)
const DEADLINE_MS = (config.quick ? 6 : 40) * (process.env.BENCH_CANDIDATE_ROOT ? 2 : 1) * 60_000;
setTimeout(() => {
  console.error(`bench: still running after ${DEADLINE_MS / 60_000} minutes; giving up`);
  process.exit(1);
}, DEADLINE_MS).unref();

function machine(): string {
  // `wrk -v` prints its version and exits 1.
  const wrk = spawnSync("wrk", ["-v"], { encoding: "utf8" }).stdout.split("\n")[0]?.split(" ").slice(0, 2).join(" ");
  return `${cpus()[0]?.model ?? "?"} × ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB RAM, Node ${process.version}, ${wrk}`;
}

/**
 * BENCH_CANDIDATE_ROOT=<a patched copy of the repository>: its functions are built
 * and measured beside the original in parts 1–4, to show a proposed fix before/after
 * in one run. BENCH_CANDIDATE_FLAGS: its Node flags (default: production's).
 */
async function buildCandidate(root: string): Promise<Candidate> {
  // toolkit/build.ts since the tooling folders were named; scripts/build.ts in older checkouts (ARCHITECTURE.md compares with one).
  const script = [join(root, "toolkit", "build.ts"), join(root, "scripts", "build.ts")].find((path) => existsSync(path));
  if (!script) throw new Error(`${root} has neither toolkit/build.ts nor scripts/build.ts`);
  const build = (await import(pathToFileURL(script).href)) as { buildFunctions: typeof buildFunctions };
  const dist = join(root, "dist");
  await build.buildFunctions({ outdir: dist });
  const out = join(root, "dist-bench");
  await bundleBenchServers(root, out, ["taskfn-event-nodb"]);
  const flags = process.env.BENCH_CANDIDATE_FLAGS;
  return {
    root,
    dist,
    noDbBundle: join(out, "taskfn-event-nodb.mjs"),
    nodeFlags: flags === undefined ? PRODUCTION_NODE_FLAGS : flags.split(" ").filter(Boolean),
  };
}

function candidateBundles(candidate: Candidate, own: { appId: string }[]): { appId: string; bundle: string }[] {
  return own.map(({ appId }) => ({ appId, bundle: join(candidate.dist, appId, "index.mjs") }));
}

// Other work on the machine shows up as noise: say how busy it was.
const load = () =>
  loadavg()
    .map((l) => l.toFixed(1))
    .join(" ");

async function main(): Promise<number> {
  if (spawnSync("wrk", ["-v"]).error) {
    console.error("bench: wrk is not installed (Debian/Ubuntu: apt-get install wrk; macOS: brew install wrk)");
    return 2;
  }
  const loadBefore = load();
  log(`taskfn bench (${config.quick ? "quick" : "full"}): ${config.rounds} rounds of ${config.durationS} s after ${config.warmupS} s warm-up`);
  const built = await buildFunctions();
  await bundleBenchServers();
  log(`built ${built.functions.length} function bundles and the bench servers`);
  const candidateRoot = process.env.BENCH_CANDIDATE_ROOT;
  const candidate = candidateRoot ? await buildCandidate(candidateRoot) : undefined;
  if (candidate) log(`candidate built from ${candidate.root} (node ${candidate.nodeFlags.join(" ") || "without flags"})`);

  const logDir = await mkdtemp(join(tmpdir(), "taskfn-bench-logs-"));
  const db = await startBenchDatabase(log);
  const sidecar = await startSidecarStub(logDir);
  const ctx: BenchContext = { config, db, sidecar, logDir, jwtSecret: randomBytes(32).toString("hex"), log, candidate };
  log(`server logs in ${logDir}`);

  const rows: Row[] = [];
  const failures: string[] = [];
  const allParts: [string, () => Promise<Row[]>][] = [
    ["event delivery", () => eventDelivery(ctx)],
    ["HTTP functions", () => httpFunctions(ctx)],
    ["cold start", () => coldStart(ctx, built.functions)],
    [
      "pipeline",
      async () => [
        ...(await pipeline(ctx, built.functions, NAMES.taskfn)),
        ...(candidate ? await pipeline(ctx, candidateBundles(candidate, built.functions), NAMES.candidate) : []),
      ],
    ],
    ["npm start", () => npmStart(ctx)],
  ];
  // BENCH_PARTS=1,3 runs only those parts (while working on one of them).
  const only = process.env.BENCH_PARTS?.split(",").map(Number);
  const parts = allParts.filter((_, i) => !only || only.includes(i + 1));
  try {
    for (const [name, run] of parts) {
      try {
        rows.push(...(await run()));
      } catch (error) {
        failures.push(`${name}: ${(error as Error).stack ?? String(error)}`);
        log(`${name} FAILED: ${(error as Error).message}`);
      }
    }
  } finally {
    await sidecar.stop();
    await db.stop();
  }

  const minutes = (performance.now() - started) / 60_000;
  const table = renderTable(rows);
  const errors = rows.reduce((sum, row) => sum + errorTotal(row.errors), 0);
  const header = [
    `# taskfn benchmark — ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC`,
    "",
    `Command: \`${config.quick ? "BENCH_QUICK=1 " : ""}${only ? `BENCH_PARTS=${only.join(",")} ` : ""}${candidate ? `BENCH_CANDIDATE_ROOT=${candidate.root} ` : ""}npm run bench\` · ${minutes.toFixed(1)} min · ${config.rounds} rounds of ${config.durationS} s per cell after a ${config.warmupS} s warm-up, servers alternated round by round; medians with min–max over rounds.`,
    `Machine: ${machine()}; load average ${loadBefore} before, ${load()} after. Load generator: wrk -t1 on loopback (its CPU is shown: well below 100 % means it was not the limit).`,
    "",
  ].join("\n");
  const verdict =
    failures.length || errors
      ? `\n**FAILED**: ${errors} errors${failures.length ? `; ${failures.length} part(s) failed:\n\n${failures.map((f) => `- ${f.split("\n")[0]}`).join("\n")}` : ""}\n`
      : "";
  // latest.md always holds a whole full run; a quick run or one of some parts goes beside it.
  const results = join(RESULTS_DIR, only ? `parts-${only.join("-")}.md` : config.quick ? "quick.md" : "latest.md");
  await mkdir(RESULTS_DIR, { recursive: true });
  await writeFile(results, `${header}\n${table}\n${verdict}`);
  console.log(`\n${header}\n${table}\n${verdict}`);
  for (const failure of failures) console.error(failure);
  log(`table written to ${results}`);
  return failures.length || errors ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
