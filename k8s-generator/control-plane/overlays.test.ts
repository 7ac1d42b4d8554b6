/**
 * Both overlays on a real API server (etcd + kube-apiserver built from their
 * Go modules), with the CRDs of Dapr, KEDA, Gateway API and Strimzi installed:
 * applied server-side in k8s/README.md's order they are accepted, with no Pod
 * Security warning under the enforced restricted level; a second apply changes
 * nothing; a new migration image re-deploys the way deploy.yml does it.
 *
 * No controller runs here, so the test writes the Gateway's status the way
 * its controller would on first sight. Without it the first re-apply would
 * move the Gateway once: the Gateway API CRD defaults `status` ("Waiting for
 * controller"), the API server drops status on create and adds the default
 * on every read, and the first update persists it. A cluster's Gateway
 * controller has written the status long before the next deploy.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Manifest } from "../manifest.js";
import { OVERLAYS, renderOverlay } from "../render.js";
import { toolForTests } from "../../toolkit/tools.js";
import { type Applied, applyInOrder, FIELD_MANAGER, keyOf } from "./apply-overlays.js";
import type { KubeClient, KubeObject } from "./kube-client.js";
import { startTestCluster, type TestCluster } from "./test-cluster.js";

const kustomize = toolForTests("kustomize")!;

let cluster: TestCluster;
const rendered = new Map<string, Manifest[]>();
const first = new Map<string, Applied>();
const log: string[] = [];

/** What the Gateway controller does first: mark each Gateway Accepted and Programmed (status subresource). */
async function acceptGateways(client: KubeClient, manifests: readonly Manifest[], applied: Applied): Promise<Applied> {
  const versions = new Map(applied.versions);
  for (const gateway of manifests.filter((m) => m.kind === "Gateway")) {
    const stored = (await client.get(gateway as KubeObject))!;
    const since = new Date().toISOString().replace(/\.\d+Z$/, "Z");
    const condition = (type: string) => ({
      type,
      status: "True",
      reason: type,
      message: "",
      lastTransitionTime: since,
      observedGeneration: stored.metadata.generation,
    });
    const body = JSON.stringify({ ...stored, status: { conditions: [condition("Accepted"), condition("Programmed")] } });
    const res = await client.request("PUT", `${await client.pathOf(gateway as KubeObject)}/status`, body);
    if (res.status !== 200) throw new Error(`status of ${keyOf(gateway)}: ${res.status} ${res.body}`);
    versions.set(keyOf(gateway), String((JSON.parse(res.body) as KubeObject).metadata.resourceVersion));
  }
  return { ...applied, versions };
}

beforeAll(async () => {
  cluster = await startTestCluster((line) => log.push(line));
  for (const overlay of OVERLAYS) rendered.set(overlay, await renderOverlay(kustomize, overlay));
});
afterAll(() => cluster?.stop());

describe.each(OVERLAYS)("k8s/overlays/%s on kube-apiserver", (overlay) => {
  it("is accepted, applied server-side in the README's order, with no Pod Security warning", async () => {
    const applied = await applyInOrder(cluster.plane.client, rendered.get(overlay)!);
    expect(applied.versions.size).toBe(rendered.get(overlay)!.length);
    expect(applied.warnings).toEqual([]);
    first.set(overlay, await acceptGateways(cluster.plane.client, rendered.get(overlay)!, applied));
  });

  it("is a no-op when applied again: no object's resourceVersion moves", async () => {
    const again = await applyInOrder(cluster.plane.client, rendered.get(overlay)!);
    expect(Object.fromEntries(again.versions)).toEqual(Object.fromEntries(first.get(overlay)!.versions));
  });

  it("re-deploys the migration Job with a new image as deploy.yml does (delete, then apply); a plain apply is refused", async () => {
    const job = rendered.get(overlay)!.find((m) => m.kind === "Job")! as KubeObject & { spec: { template: { spec: { containers: { image: string }[] } } } };
    const next = structuredClone(job);
    next.spec.template.spec.containers[0]!.image = "registry.example/taskfn/migrate:next";
    await expect(cluster.plane.client.apply(next, FIELD_MANAGER)).rejects.toThrow(/422.*field is immutable/s);
    const deleted = await cluster.plane.client.request("DELETE", `${await cluster.plane.client.pathOf(job)}?propagationPolicy=Background`);
    expect(deleted.status).toBe(200);
    const { object } = await cluster.plane.client.apply(next, FIELD_MANAGER);
    expect((object as typeof next).spec.template.spec.containers[0]!.image).toBe("registry.example/taskfn/migrate:next");
  });
});
