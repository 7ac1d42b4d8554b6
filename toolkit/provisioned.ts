/**
 * Where `npm run provision` (real-stack/provision.ts) leaves real daprd and the
 * Kafka jars: per version under ${TASKFN_CACHE:-~/.cache/taskfn}, with a
 * `.complete` marker holding a hash of the inputs they were built from. The
 * launchers (daprd.ts, kafka.ts) find them here and only provision.ts builds,
 * so starting a broker never turns into a ten-minute Go build.
 */
import { createHash } from "node:crypto";
import { accessSync, constants, existsSync, readFileSync, statSync } from "node:fs";
import { homedir } from "node:os";
import { join, resolve } from "node:path";
import { ROOT } from "./paths.js";

/** The Go module provision.ts builds daprd from. */
export const DAPRD_SOURCE = join(ROOT, "real-stack", "daprd");
export const DAPRD_SOURCE_FILES = ["go.mod", "go.sum", "main.go"] as const;
/** The Maven project provision.ts fetches the broker's jars with. */
export const KAFKA_POM = join(ROOT, "real-stack", "kafka", "pom.xml");

export interface CacheEntry {
  dir: string;
  /** Hash of the inputs; the marker must hold exactly this. */
  inputs: string;
}

export function cacheRoot(): string {
  return resolve(process.env.TASKFN_CACHE || join(homedir(), ".cache", "taskfn"));
}

/** Dapr version = the github.com/dapr/dapr requirement in real-stack/daprd/go.mod. */
export function daprVersion(): string {
  const m = /^\s*(?:require\s+)?github\.com\/dapr\/dapr\s+(v\S+)/m.exec(readFileSync(join(DAPRD_SOURCE, "go.mod"), "utf8"));
  if (!m?.[1]) throw new Error("real-stack/daprd/go.mod does not require github.com/dapr/dapr");
  return m[1];
}

/** Kafka version = the <kafka.version> property in real-stack/kafka/pom.xml. */
export function kafkaVersion(): string {
  const m = /<kafka\.version>([^<]+)<\/kafka\.version>/.exec(readFileSync(KAFKA_POM, "utf8"));
  if (!m?.[1]) throw new Error("real-stack/kafka/pom.xml has no <kafka.version> property");
  return m[1];
}

function hashFiles(files: readonly string[]): string {
  const h = createHash("sha256");
  for (const f of files) h.update(readFileSync(f));
  return h.digest("hex").slice(0, 16);
}

export function daprdCache(): CacheEntry {
  return { dir: join(cacheRoot(), `daprd-${daprVersion()}`), inputs: hashFiles(DAPRD_SOURCE_FILES.map((f) => join(DAPRD_SOURCE, f))) };
}

export function kafkaCache(): CacheEntry {
  return { dir: join(cacheRoot(), `kafka-${kafkaVersion()}`), inputs: hashFiles([KAFKA_POM]) };
}

export function isComplete({ dir, inputs }: CacheEntry): boolean {
  const marker = join(dir, ".complete");
  return existsSync(marker) && readFileSync(marker, "utf8").trim() === inputs;
}

/** DAPRD=/path/to/daprd replaces the built one; it must be an executable file. */
export function daprdOverride(): string | undefined {
  const override = process.env.DAPRD;
  if (!override) return undefined;
  const bin = resolve(override);
  try {
    if (!statSync(bin).isFile()) throw new Error("not a file");
    accessSync(bin, constants.X_OK);
  } catch (err) {
    throw new Error(`DAPRD=${override} is not an executable file (${(err as Error).message})`);
  }
  return bin;
}

function current(entry: CacheEntry, what: string): string {
  if (!isComplete(entry)) throw new Error(`${what} is not provisioned (or its inputs changed) in ${entry.dir}: run \`npm run provision\` first`);
  return entry.dir;
}

/** The daprd binary to run. */
export function provisionedDaprd(): string {
  return daprdOverride() ?? join(current(daprdCache(), "daprd"), "daprd");
}

/** The folder of the broker's jars. */
export function provisionedKafka(): string {
  return join(current(kafkaCache(), "Kafka"), "libs");
}
