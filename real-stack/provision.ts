// Provisions the real runtime pieces the e2e suite runs against, cached per
// version under ${TASKFN_CACHE:-~/.cache/taskfn}:
//   daprd-<version>/daprd   slim daprd built from real-stack/daprd (Go)
//   kafka-<version>/libs/   Kafka broker jars fetched by real-stack/kafka/pom.xml (Maven)
// A `.complete` marker is written last (holding a hash of the inputs, see
// toolkit/provisioned.ts, where the launchers find them), so an interrupted or
// outdated build is redone, and a warm run costs milliseconds.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync, cpSync, chmodSync, readdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import {
  type CacheEntry,
  DAPRD_SOURCE as daprdSrc,
  DAPRD_SOURCE_FILES,
  KAFKA_POM as kafkaPom,
  daprdCache,
  daprdOverride,
  daprVersion,
  isComplete,
  kafkaCache,
  kafkaVersion,
  provisionedDaprd,
  provisionedKafka,
} from "../toolkit/provisioned.js";

export async function provisionDaprd(): Promise<string> {
  const override = daprdOverride();
  if (override) return override;
  const entry = daprdCache();
  await cached(entry, "daprd", () => buildDaprd(entry.dir, daprVersion()));
  return provisionedDaprd();
}

export async function provisionKafka(): Promise<string> {
  const entry = kafkaCache();
  await cached(entry, "kafka", () => fetchKafka(entry.dir));
  return provisionedKafka();
}

// --- daprd -----------------------------------------------------------------

async function buildDaprd(dir: string, version: string): Promise<void> {
  requireTool("go", ["version"], "Go >= 1.26 is needed to build daprd: install it from https://go.dev/dl/ (or set DAPRD=/path/to/daprd).");
  const work = join(dir, `build-${process.pid}`);
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  for (const f of DAPRD_SOURCE_FILES) cpSync(join(daprdSrc, f), join(work, f));
  const env = { ...process.env, CGO_ENABLED: "0", GOFLAGS: "-mod=mod" };
  const log = join(dir, "build.log");
  writeFileSync(log, "");

  say("daprd", `downloading modules for github.com/dapr/dapr ${version}… (log: ${log})`);
  await run("daprd", "go", ["mod", "download", "github.com/dapr/dapr"], { cwd: work, env, log });
  const daprDir = capture("go", ["list", "-m", "-f", "{{.Dir}}", "github.com/dapr/dapr"], work, env);

  // Upstream cmd/daprd/app imports cmd/daprd/components, whose only untagged
  // file (zz_notag.go) panics unless -tags stablecomponents pulls in ~140
  // components. Go refuses -overlay on module-cache files, so build against a
  // private copy of the dapr module with that one file swapped for an empty one.
  const src = join(work, "dapr");
  cpSync(daprDir, src, { recursive: true, filter: (p) => !p.startsWith(join(daprDir, "tests")) });
  chmodRecursive(src);
  const components = join(src, "cmd", "daprd", "components");
  rmSync(join(components, "zz_notag.go"));
  writeFileSync(join(components, "zz_taskfn.go"), "// Emptied by taskfn real-stack/provision.ts: components are registered in main.go.\npackage components\n");
  await run("daprd", "go", ["mod", "edit", "-replace", "github.com/dapr/dapr=./dapr"], { cwd: work, env, log });
  await run("daprd", "go", ["mod", "download"], { cwd: work, env, log });

  say("daprd", "compiling (this takes ~4-5 min on 2 cores when the Go build cache is cold)…");
  const semver = version.replace(/^v/, "");
  const ldflags = `-s -w -X github.com/dapr/dapr/pkg/buildinfo.version=${semver} -X github.com/dapr/dapr/pkg/buildinfo.gitversion=${version}`;
  const tmpBin = join(dir, `daprd.tmp-${process.pid}`);
  await run("daprd", "go", ["build", "-trimpath", `-ldflags=${ldflags}`, "-o", tmpBin, "."], { cwd: work, env, log });

  const printed = capture(tmpBin, ["--version"], work, env);
  if (printed !== semver) throw new Error(`built daprd reports version "${printed}", expected "${semver}"`);
  renameSync(tmpBin, join(dir, "daprd"));
  rmSync(work, { recursive: true, force: true });
}

function chmodRecursive(path: string): void {
  // The module cache is read-only; the copy must be writable (and removable).
  chmodSync(path, statSync(path).isDirectory() ? 0o755 : 0o644);
  if (statSync(path).isDirectory()) for (const e of readdirSync(path)) chmodRecursive(join(path, e));
}

// --- kafka -----------------------------------------------------------------

async function fetchKafka(dir: string): Promise<void> {
  requireTool("java", ["-version"], "Java 17+ is needed to run Kafka: apt-get install -y openjdk-17-jre-headless");
  requireTool("mvn", ["-v"], "Maven is needed to fetch Kafka from Maven Central: apt-get install -y maven");
  const libs = join(dir, "libs");
  const tmp = join(dir, `libs.tmp-${process.pid}`);
  rmSync(tmp, { recursive: true, force: true });
  const log = join(dir, "fetch.log");
  writeFileSync(log, "");
  say("kafka", `fetching Kafka ${kafkaVersion()} jars from Maven Central… (log: ${log})`);
  await run("kafka", "mvn", ["-B", "-q", "-Dstyle.color=never", "-f", kafkaPom, "dependency:copy-dependencies", `-Dkafka.libs=${tmp}`], {
    cwd: dir,
    env: process.env,
    log,
  });
  if (!existsSync(join(tmp, `kafka_2.13-${kafkaVersion()}.jar`))) throw new Error(`Maven finished but ${tmp} has no kafka_2.13 jar; see ${log}`);
  rmSync(libs, { recursive: true, force: true });
  renameSync(tmp, libs);
}

// --- plumbing ----------------------------------------------------------------

/** Runs `build` unless `dir/.complete` matches `inputs`; serialised across processes by a lock dir. */
async function cached(entry: CacheEntry, name: string, build: () => Promise<void>): Promise<void> {
  const { dir, inputs } = entry;
  const marker = join(dir, ".complete");
  const done = () => isComplete(entry);
  if (done()) return;
  mkdirSync(dir, { recursive: true });
  const lock = join(dir, ".lock");
  await acquire(lock, name, done);
  try {
    if (done()) return; // someone else built it while we waited
    rmSync(marker, { force: true });
    // We hold the lock, so per-pid scratch left here is from a killed build.
    for (const e of readdirSync(dir)) if (/^(build-|daprd\.tmp-|libs\.tmp-)\d+$/.test(e)) rmSync(join(dir, e), { recursive: true, force: true });
    const started = Date.now();
    await build();
    writeFileSync(marker, inputs + "\n"); // written last: its presence means "complete"
    say(name, `ready in ${Math.round((Date.now() - started) / 1000)}s → ${dir}`);
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

async function acquire(lock: string, name: string, done: () => boolean): Promise<void> {
  let told = false;
  for (;;) {
    try {
      mkdirSync(lock); // atomic: only one process wins
      writeFileSync(join(lock, "pid"), String(process.pid));
      return;
    } catch {
      const pid = Number(readFileSafe(join(lock, "pid")));
      if (pid && !alive(pid)) {
        rmSync(lock, { recursive: true, force: true }); // stale lock of a killed build
        continue;
      }
      if (done()) return;
      if (!told) say(name, `another process (pid ${pid || "?"}) is provisioning; waiting…`);
      told = true;
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
}

function readFileSafe(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return "";
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

function say(stage: string, msg: string): void {
  process.stderr.write(`[${stage}] ${msg}\n`);
}

function requireTool(cmd: string, args: string[], hint: string): void {
  const r = spawnSync(cmd, args, { stdio: "ignore" });
  if (r.error || r.status !== 0) throw new Error(`\`${cmd}\` is not available on PATH. ${hint}`);
}

function capture(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): string {
  const r = spawnSync(cmd, args, { cwd, env, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed: ${r.stderr || r.error}`);
  return r.stdout.trim();
}

/** Spawns a build step with output appended to `log`; prints a heartbeat every 15 s. */
function run(stage: string, cmd: string, args: string[], o: { cwd: string; env: NodeJS.ProcessEnv; log: string }): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    const started = Date.now();
    const child = spawn(cmd, args, { cwd: o.cwd, env: o.env, stdio: ["ignore", "pipe", "pipe"] });
    const out: Buffer[] = [];
    const append = (b: Buffer) => {
      out.push(b);
      writeFileSync(o.log, b, { flag: "a" });
    };
    child.stdout.on("data", append);
    child.stderr.on("data", append);
    const beat = setInterval(() => say(stage, `… ${Math.round((Date.now() - started) / 1000)}s`), 15_000);
    child.on("error", (err) => {
      clearInterval(beat);
      reject(new Error(`[${stage}] could not run ${cmd}: ${err.message}`));
    });
    child.on("close", (code) => {
      clearInterval(beat);
      if (code === 0) return resolvePromise();
      const tail = Buffer.concat(out).toString("utf8").trimEnd().split("\n").slice(-30).join("\n");
      reject(new Error(`[${stage}] \`${cmd} ${args.join(" ")}\` exited with ${code}; full log: ${o.log}\n${tail}`));
    });
  });
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const t0 = Date.now();
  // `provision.ts kafka`: the broker only (npm run test:k8s runs no daprd).
  const kafkaOnly = process.argv[2] === "kafka";
  Promise.all([kafkaOnly ? undefined : provisionDaprd(), provisionKafka()]).then(
    ([daprd, kafka]) => {
      console.log(`${daprd ? `daprd: ${daprd}\n` : ""}kafka libs: ${kafka}`);
      say("provision", `done in ${((Date.now() - t0) / 1000).toFixed(2)}s`);
    },
    (err: Error) => {
      console.error(err.message);
      process.exit(1);
    },
  );
}
