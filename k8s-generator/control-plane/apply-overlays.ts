/**
 * Applies a rendered overlay the way k8s/README.md deploys it, server-side:
 * the Namespace, then every object no function or migration owns (Kafka,
 * users, topics, Dapr resources, policies, Gateway), then the migration Job,
 * then the functions.
 */
import type { Manifest } from "../manifest.js";
import type { KubeClient, KubeObject } from "./kube-client.js";

export const FIELD_MANAGER = "taskfn-deploy";

function phase(manifest: Manifest): number {
  if (manifest.kind === "Namespace") return 0;
  const component = manifest.metadata.labels?.["app.kubernetes.io/component"];
  return component === "migration" ? 2 : component === "function" ? 3 : 1;
}

export function inDeployOrder(manifests: readonly Manifest[]): Manifest[] {
  return manifests
    .map((manifest, index) => ({ manifest, index }))
    .sort((a, b) => phase(a.manifest) - phase(b.manifest) || a.index - b.index)
    .map(({ manifest }) => manifest);
}

export interface Applied {
  /** `Kind/namespace/name` → resourceVersion after the apply. */
  versions: Map<string, string>;
  warnings: string[];
}

export const keyOf = (object: Pick<KubeObject, "kind" | "metadata">) => `${object.kind}/${object.metadata.namespace ?? ""}/${object.metadata.name}`;

export async function applyInOrder(client: KubeClient, manifests: readonly Manifest[]): Promise<Applied> {
  const versions = new Map<string, string>();
  const warnings: string[] = [];
  for (const manifest of inDeployOrder(manifests)) {
    const { object, warnings: said } = await client.apply(manifest as KubeObject, FIELD_MANAGER);
    versions.set(keyOf(manifest), String(object.metadata.resourceVersion));
    warnings.push(...said.map((warning) => `${keyOf(manifest)}: ${warning}`));
  }
  return { versions, warnings };
}
