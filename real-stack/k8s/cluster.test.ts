/**
 * Both overlays on a real API server (etcd + kube-apiserver built from their
 * Go modules), with the CRDs of Dapr, KEDA, Gateway API and Strimzi installed:
 * applied server-side in k8s/README.md's order they are accepted, with no Pod
 * Security warning under the enforced restricted level; a second apply changes
 * nothing; a new migration image re-deploys the way deploy.yml does it. Then
 * the real KEDA operator scales a consumer on real Kafka lag (below).
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Admin, ProduceAcks, Producer, stringSerializers } from "@platformatic/kafka";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningKafka, startKafka } from "../../toolkit/kafka.js";
import { waitFor } from "../../toolkit/net.js";
import { TASKFN_TOPICS } from "../../toolkit/topics.js";
import type { Manifest } from "../../k8s-generator/manifest.js";
import type { ScaledObject } from "../../k8s-generator/scaling.js";
import { OVERLAYS, renderOverlay } from "../../k8s-generator/render.js";
import { toolForTests } from "../../toolkit/tools.js";
import { type Applied, applyInOrder, FIELD_MANAGER } from "./apply-overlays.js";
import { binary, type ControlPlane, startControlPlane } from "./control-plane.js";
import { customResourceDefinitions } from "./crds.js";
import type { Launched } from "../../toolkit/process.js";
import { startKedaOperator } from "./keda-operator.js";
import type { KubeObject } from "./kube-client.js";

const kustomize = toolForTests("kustomize")!;

let dir: string;
let plane: ControlPlane;
const rendered = new Map<string, Manifest[]>();
const first = new Map<string, Applied>();
const log: string[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "taskfn-k8s-"));
  plane = await startControlPlane(dir, (line) => log.push(line));
  const crds = await customResourceDefinitions();
  for (const crd of crds) await plane.client.apply(crd, FIELD_MANAGER);
  for (const crd of crds) {
    await waitFor(`CRD ${crd.metadata.name} Established`, 60_000, async () => {
      const stored = (await plane.client.get(crd)) as { status?: { conditions?: { type: string; status: string }[] } } | undefined;
      return stored?.status?.conditions?.some((c) => c.type === "Established" && c.status === "True") ? true : undefined;
    });
  }
  for (const overlay of OVERLAYS) rendered.set(overlay, await renderOverlay(kustomize, overlay));
});
afterAll(async () => {
  await plane?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe.each(OVERLAYS)("k8s/overlays/%s on kube-apiserver", (overlay) => {
  it("is accepted, applied server-side in the README's order, with no Pod Security warning", async () => {
    const applied = await applyInOrder(plane.client, rendered.get(overlay)!);
    first.set(overlay, applied);
    expect(applied.versions.size).toBe(rendered.get(overlay)!.length);
    expect(applied.warnings).toEqual([]);
  });

  it("is a no-op when applied again: no object's resourceVersion moves", async () => {
    const again = await applyInOrder(plane.client, rendered.get(overlay)!);
    expect(Object.fromEntries(again.versions)).toEqual(Object.fromEntries(first.get(overlay)!.versions));
  });

  it("re-deploys the migration Job with a new image as deploy.yml does (delete, then apply); a plain apply is refused", async () => {
    const job = rendered.get(overlay)!.find((m) => m.kind === "Job")! as KubeObject & { spec: { template: { spec: { containers: { image: string }[] } } } };
    const next = structuredClone(job);
    next.spec.template.spec.containers[0]!.image = "registry.example/taskfn/migrate:next";
    await expect(plane.client.apply(next, FIELD_MANAGER)).rejects.toThrow(/422.*field is immutable/s);
    const deleted = await plane.client.request("DELETE", `${await plane.client.pathOf(job)}?propagationPolicy=Background`);
    expect(deleted.status).toBe(200);
    const { object } = await plane.client.apply(next, FIELD_MANAGER);
    expect((object as typeof next).spec.template.spec.containers[0]!.image).toBe("registry.example/taskfn/migrate:next");
  });
});

/**
 * The real KEDA operator against that API server and a real Kafka: the dev
 * overlay's on-task-completed ScaledObject, its brokers pointed at the local
 * (plain, unauthenticated) broker and its authenticationRef dropped — the one
 * change, since the local broker has no SCRAM users — with short polling and
 * cooldown so the test is quick. No kubelet runs: the Deployment's replica
 * count, which KEDA writes through the scale subresource, is what is checked.
 */
describe("KEDA scales on-task-completed on its consumer group's lag", () => {
  const NAMESPACE = "taskfn-dev";
  const APP = "on-task-completed";
  const EVENTS = 5;
  let kafka: RunningKafka;
  let operator: Launched;
  let admin: Admin;
  const replicas = async () => ((await plane.client.get({ apiVersion: "apps/v1", kind: "Deployment", metadata: { name: APP, namespace: NAMESPACE } })) as { spec: { replicas?: number } } | undefined)?.spec.replicas;
  const waitForReplicas = (what: string, ok: (n: number) => boolean) =>
    waitFor(what, 120_000, async () => {
      const n = await replicas();
      return n !== undefined && ok(n) ? n : undefined;
    }, { intervalMs: 1000, describe: () => operator.tail() });

  beforeAll(async () => {
    kafka = await startKafka({ dataDir: join(dir, "kafka"), topics: TASKFN_TOPICS, log: (line) => log.push(`[kafka] ${line}`) });
    admin = new Admin({ clientId: "taskfn-k8s-test", bootstrapBrokers: [kafka.brokers] });
    await plane.client.apply({ apiVersion: "v1", kind: "Namespace", metadata: { name: "keda" } }, FIELD_MANAGER);
    const scaled = structuredClone(rendered.get("dev")!.find((m) => m.kind === "ScaledObject" && m.metadata.name === APP)!) as KubeObject & ScaledObject;
    const [trigger] = scaled.spec.triggers;
    trigger!.metadata.bootstrapServers = kafka.brokers;
    delete trigger!.authenticationRef;
    Object.assign(scaled.spec, { pollingInterval: 1, cooldownPeriod: 5 });
    await plane.client.apply(scaled, FIELD_MANAGER);
    operator = await startKedaOperator(await binary("keda-operator"), plane.kubeconfig, (line) => log.push(line));
  });
  afterAll(async () => {
    await admin?.close();
    await operator?.stop();
    await kafka?.stop();
  });

  it("idle (no lag): KEDA scales the Deployment to 0", async () => {
    expect(await waitForReplicas("replicas 0 with no lag", (n) => n === 0)).toBe(0);
  });

  it(`${EVENTS} task.completed events nobody consumed: KEDA activates it (≥ 1 replica)`, async () => {
    const producer = new Producer({ clientId: "taskfn-k8s-test", bootstrapBrokers: [kafka.brokers], serializers: stringSerializers, acks: ProduceAcks.ALL });
    try {
      await producer.send({ messages: Array.from({ length: EVENTS }, (_, i) => ({ topic: "tasks", partition: 0, key: `user-${i}`, value: "{}" })) });
    } finally {
      await producer.close();
    }
    expect(await waitForReplicas("replicas ≥ 1 on lag", (n) => n >= 1)).toBeGreaterThanOrEqual(1);
  });

  it("the group commits past the events: back to 0 after the cooldown", async () => {
    await admin.alterConsumerGroupOffsets({ groupId: APP, topics: [{ name: "tasks", partitionOffsets: [{ partition: 0, offset: BigInt(EVENTS) }] }] });
    expect(await waitForReplicas("replicas back to 0", (n) => n === 0)).toBe(0);
  });
});
