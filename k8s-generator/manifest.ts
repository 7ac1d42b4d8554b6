/**
 * A rendered Kubernetes object, as `kustomize build` prints it, and the
 * look-ups the schema and policy checks share.
 */
import { parseAllDocuments } from "yaml";

export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  spec?: unknown;
  [field: string]: unknown;
}

/** `Kind/name` (plus namespace), the way a message names an object. */
export function describe(manifest: Manifest): string {
  const namespace = manifest.metadata.namespace ? ` in ${manifest.metadata.namespace}` : "";
  return `${manifest.kind}/${manifest.metadata.name}${namespace}`;
}

export function parseManifests(text: string): Manifest[] {
  return parseAllDocuments(text).flatMap((doc) => {
    if (doc.errors.length > 0) throw new Error(`rendered YAML does not parse: ${doc.errors[0]!.message}`);
    const body: unknown = doc.toJS();
    if (body === null || body === undefined) return [];
    const manifest = body as Partial<Manifest>;
    if (typeof manifest.apiVersion !== "string" || typeof manifest.kind !== "string" || typeof manifest.metadata?.name !== "string") {
      throw new Error(`not a Kubernetes object (apiVersion, kind and metadata.name are required): ${JSON.stringify(body).slice(0, 200)}`);
    }
    return [manifest as Manifest];
  });
}

/** Objects of one kind, typed by the caller once the schema check has vouched for their shape. */
export function ofKind<T>(manifests: readonly Manifest[], kind: string): (Manifest & T)[] {
  return manifests.filter((manifest) => manifest.kind === kind) as (Manifest & T)[];
}
