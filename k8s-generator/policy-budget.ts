/**
 * The database connection budget, from the rendered objects: each workload's
 * DATABASE_POOL_SIZE times the most replicas it can reach (its HPA's or
 * ScaledObject's maximum, else its fixed count), summed, must stay below
 * max_connections less the headroom (settings.ts, k8s/README.md).
 */
import type { IDeployment } from "kubernetes-models/apps/v1";
import type { IHorizontalPodAutoscaler } from "kubernetes-models/autoscaling/v2";
import { type Manifest, ofKind } from "./manifest.js";
import type { ScaledObject } from "./scaling.js";
import { DATABASE_CONNECTION_BUDGET } from "./settings.js";

export interface ConnectionUse {
  workload: string;
  poolSize: number;
  maxReplicas: number;
}

export function connectionUse(manifests: readonly Manifest[]): ConnectionUse[] {
  const hpaMax = new Map(ofKind<IHorizontalPodAutoscaler>(manifests, "HorizontalPodAutoscaler").map((h) => [h.spec?.scaleTargetRef.name, h.spec?.maxReplicas]));
  const kedaMax = new Map(ofKind<ScaledObject>(manifests, "ScaledObject").map((s) => [s.spec.scaleTargetRef.name, s.spec.maxReplicaCount]));
  return ofKind<IDeployment>(manifests, "Deployment").flatMap((deployment) => {
    const env = deployment.spec?.template.spec?.containers.flatMap((c) => c.env ?? []) ?? [];
    if (!env.some((e) => e.name === "DATABASE_URL")) return [];
    const pool = Number(env.find((e) => e.name === "DATABASE_POOL_SIZE")?.value ?? Number.NaN);
    const name = deployment.metadata.name;
    const maxReplicas = hpaMax.get(name) ?? kedaMax.get(name) ?? deployment.spec?.replicas ?? 1;
    return [{ workload: name, poolSize: pool, maxReplicas }];
  });
}

export function budgetViolations(manifests: readonly Manifest[]): string[] {
  const uses = connectionUse(manifests);
  const unset = uses
    .filter((u) => !Number.isInteger(u.poolSize) || u.poolSize < 1)
    .map((u) => `${u.workload}: DATABASE_POOL_SIZE is not set to a positive integer`);
  const total = uses.reduce((sum, u) => sum + (u.poolSize || 0) * u.maxReplicas, 0);
  const { maxConnections, headroom } = DATABASE_CONNECTION_BUDGET;
  const over =
    total > maxConnections - headroom
      ? [`database connections: pools × max replicas sum to ${total}, over max_connections ${maxConnections} less ${headroom} headroom`]
      : [];
  return [...unset, ...over];
}
