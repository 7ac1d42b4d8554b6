/**
 * The Dapr resources in dapr/, read the way daprd reads a resources path: what
 * the local runs render (dapr-resources.ts) and the Kubernetes generator
 * carries over (k8s-generator/dapr-resources.ts).
 */
import { readdir, readFile } from "node:fs/promises";
import { join, relative } from "node:path";
import { type Document, parseAllDocuments } from "yaml";
import { ROOT } from "./paths.js";

export interface DaprSource {
  /** Repository-relative, e.g. `dapr/components/pubsub.yaml`. */
  file: string;
  documents: Document.Parsed[];
}

export interface DaprComponent {
  metadata: { name: string };
  spec: { type: string; version: string; metadata?: { name: string; value?: unknown; envRef?: string; secretKeyRef?: { name: string; key: string } }[] };
  scopes?: string[];
}

/** Every .yaml directly in a dapr/ folder, the way daprd reads a resources path. */
export async function readDaprSources(folder: string): Promise<DaprSource[]> {
  const dir = join(ROOT, "dapr", folder);
  const entries = await readdir(dir, { withFileTypes: true });
  const files = entries
    .filter((e) => e.isFile() && /\.ya?ml$/.test(e.name))
    .map((e) => join(dir, e.name))
    .sort();
  const sources = await Promise.all(
    files.map(async (path) => {
      const parsed = parseAllDocuments(await readFile(path, "utf8"));
      for (const doc of parsed) if (doc.errors.length > 0) throw new Error(`${path}: ${doc.errors[0]!.message}`);
      // Only Dapr resources, as daprd itself loads them: dapr/dapr.yaml (the CLI's run file) is not one.
      const documents = parsed.filter((doc) => String(doc.get("apiVersion") ?? "").startsWith("dapr.io/"));
      return { file: relative(ROOT, path), documents };
    }),
  );
  return sources.filter((source) => source.documents.length > 0);
}

export function isComponent(body: unknown): body is DaprComponent {
  return typeof body === "object" && body !== null && (body as { kind?: unknown }).kind === "Component";
}

/** Plain values of a component's metadata (envRef and secretKeyRef items have none here). */
export function metadataOf(component: DaprComponent): Record<string, string | undefined> {
  return Object.fromEntries((component.spec.metadata ?? []).map((item) => [item.name, typeof item.value === "string" ? item.value : undefined]));
}

export function envRefsOf(component: DaprComponent): string[] {
  return (component.spec.metadata ?? []).flatMap((item) => (item.envRef ? [item.envRef] : []));
}

/** The named component of dapr/components, as plain data. */
export async function findComponent(name: string): Promise<DaprComponent> {
  for (const source of await readDaprSources("components")) {
    for (const doc of source.documents) {
      const body: unknown = doc.toJS();
      if (isComponent(body) && body.metadata.name === name) return body;
    }
  }
  throw new Error(`dapr/components has no component named ${name}`);
}
