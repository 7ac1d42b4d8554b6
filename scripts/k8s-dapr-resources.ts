/**
 * The Dapr resources in dapr/ (what `npm start` and the e2e stack load),
 * carried over to Kubernetes. The logical settings stay in dapr/; only what
 * differs in a cluster is patched here: the Kafka brokers.
 */
import { readdir, readFile } from "node:fs/promises";
import { join, relative } from "node:path";
import { type Document, parseAllDocuments } from "yaml";
import { KAFKA_BOOTSTRAP_SERVICE, KAFKA_CLUSTER_CA, KAFKA_PASSWORD_ENV, KAFKA_TLS_PORT } from "./k8s-settings.js";
import { ROOT } from "./repo-root.js";

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
  const files = entries.filter((e) => e.isFile() && /\.ya?ml$/.test(e.name)).map((e) => join(dir, e.name)).sort();
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

/** The cluster's brokers: Strimzi's TLS listener, reached through its bootstrap Service. */
const CLUSTER_BROKERS = `${KAFKA_BOOTSTRAP_SERVICE}:${KAFKA_TLS_PORT}`;

/**
 * In the cluster each sidecar logs in as its own KafkaUser (named after the
 * app id, Dapr resolves `{appID}`) with SCRAM-SHA-512 over TLS, trusting
 * Strimzi's cluster CA; its password comes from the user's Secret through the
 * sidecar's environment (k8s-deployment.ts).
 */
const CLUSTER_AUTH: Record<string, Record<string, unknown>> = {
  authType: { value: "password" },
  saslUsername: { value: "{appID}" },
  saslPassword: { envRef: KAFKA_PASSWORD_ENV },
  saslMechanism: { value: "SHA-512" },
  caCert: { secretKeyRef: { name: KAFKA_CLUSTER_CA.name, key: KAFKA_CLUSTER_CA.key } },
};

/** A copy of the document, comments kept, with the environment-specific fields set for the cluster. */
export function forKubernetes(document: Document.Parsed): Document {
  const copy = document.clone();
  const body: unknown = copy.toJS();
  if (isComponent(body) && body.spec.type === "pubsub.kafka") {
    const items = body.spec.metadata ?? [];
    const index = items.findIndex((item) => item.name === "brokers");
    if (index < 0) throw new Error(`component ${body.metadata.name}: pubsub.kafka needs a brokers item`);
    copy.setIn(["spec", "metadata", index, "value"], CLUSTER_BROKERS);
    for (const [name, item] of Object.entries(CLUSTER_AUTH)) {
      const at = items.findIndex((existing) => existing.name === name);
      if (at >= 0) copy.setIn(["spec", "metadata", at], copy.createNode({ name, ...item }));
      else copy.addIn(["spec", "metadata"], copy.createNode({ name, ...item }));
    }
  }
  return copy;
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
