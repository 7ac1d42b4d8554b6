/**
 * The resources real daprd loads, rendered from dapr/ into one folder: the
 * very files `npm start` and Kubernetes use, with only what differs on this
 * machine patched in (the Kafka brokers, and for the e2e suite faster cron
 * schedules). Comments are kept, so the rendered files still explain themselves.
 */
import { mkdir, rm, writeFile } from "node:fs/promises";
import { basename, join } from "node:path";
import type { Document } from "yaml";
import { type DaprComponent, isComponent, readDaprSources } from "./dapr-sources.js";

export interface DaprResourceOptions {
  /** Emptied, then filled with one file per source file. */
  dir: string;
  brokers: string;
  /** `schedule` of bindings.cron components by name, e.g. `{ "outbox-cron": "@every 1s" }`. */
  schedules?: Readonly<Record<string, string>>;
  /** Also load dapr/optional (the reminder webhook; its daprd reads the url from REMINDER_WEBHOOK_URL). */
  optional?: boolean;
}

// dapr/ also holds files that are not Dapr resources (the CLI's dapr.yaml run file); daprd skips those too.
function isDaprResource(body: unknown): boolean {
  const apiVersion = (body as { apiVersion?: unknown } | null)?.apiVersion;
  return typeof apiVersion === "string" && apiVersion.startsWith("dapr.io/");
}

function setMetadata(document: Document, component: DaprComponent, name: string, value: string): void {
  const index = (component.spec.metadata ?? []).findIndex((item) => item.name === name);
  if (index < 0) throw new Error(`component ${component.metadata.name} has no ${name} metadata item to set`);
  document.setIn(["spec", "metadata", index, "value"], value);
}

function render(source: Document, { brokers, schedules = {} }: DaprResourceOptions, patched: Set<string>): Document {
  const document = source.clone();
  const body: unknown = document.toJS();
  if (!isComponent(body)) return document;
  if (body.spec.type === "pubsub.kafka") setMetadata(document, body, "brokers", brokers);
  const schedule = schedules[body.metadata.name];
  if (schedule !== undefined && body.spec.type === "bindings.cron") {
    setMetadata(document, body, "schedule", schedule);
    patched.add(body.metadata.name);
  }
  return document;
}

/** Writes the rendered resources to `dir` and returns it, for `--resources-path`. */
export async function renderDaprResources(options: DaprResourceOptions): Promise<string> {
  const sources = [...(await readDaprSources("components")), ...(await readDaprSources(".")), ...(options.optional ? await readDaprSources("optional") : [])];
  await rm(options.dir, { recursive: true, force: true });
  await mkdir(options.dir, { recursive: true });
  const written = new Set<string>();
  const patched = new Set<string>();
  for (const source of sources) {
    const documents = source.documents.filter((document) => isDaprResource(document.toJS()));
    if (documents.length === 0) continue;
    const name = basename(source.file);
    // daprd reads one flat folder: two sources with one file name would silently lose one.
    if (written.has(name)) throw new Error(`two Dapr resource files are named ${name}; rename one`);
    written.add(name);
    await writeFile(join(options.dir, name), documents.map((document) => render(document, options, patched).toString()).join("---\n"));
  }
  const unknown = Object.keys(options.schedules ?? {}).filter((name) => !patched.has(name));
  if (unknown.length > 0) throw new Error(`no bindings.cron component named ${unknown.join(", ")} in dapr/`);
  return options.dir;
}
