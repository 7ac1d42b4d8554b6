/**
 * What every test:k8s file starts from: a fresh control plane with the CRDs of
 * Dapr, KEDA, Gateway API and Strimzi installed and Established.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { waitFor } from "../../toolkit/net.js";
import { FIELD_MANAGER } from "./apply-overlays.js";
import { type ControlPlane, startControlPlane } from "./control-plane.js";
import { customResourceDefinitions } from "./crds.js";

export interface TestCluster {
  plane: ControlPlane;
  /** A scratch folder removed by stop(). */
  dir: string;
  stop(): Promise<void>;
}

export async function startTestCluster(log: (line: string) => void): Promise<TestCluster> {
  const dir = await mkdtemp(join(tmpdir(), "taskfn-k8s-"));
  const plane = await startControlPlane(dir, log);
  const stop = async () => {
    await plane.stop();
    await rm(dir, { recursive: true, force: true });
  };
  try {
    const crds = await customResourceDefinitions();
    for (const crd of crds) await plane.client.apply(crd, FIELD_MANAGER);
    for (const crd of crds) {
      await waitFor(`CRD ${crd.metadata.name} Established`, 60_000, async () => {
        const stored = (await plane.client.get(crd)) as { status?: { conditions?: { type: string; status: string }[] } } | undefined;
        return stored?.status?.conditions?.some((c) => c.type === "Established" && c.status === "True") ? true : undefined;
      });
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { plane, dir, stop };
}
