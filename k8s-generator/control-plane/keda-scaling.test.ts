/**
 * The real KEDA operator (built from github.com/kedacore/keda/v2/cmd/operator)
 * against a real API server and a real Kafka: the dev overlay's
 * on-task-completed ScaledObject, its brokers pointed at the local (plain,
 * unauthenticated) broker and its authenticationRef dropped — the local broker
 * has no TLS listener and no SCRAM users — with short polling and cooldown so
 * the test is quick. No kubelet runs: the Deployment's replica count, which
 * KEDA writes through the scale subresource, is what is checked.
 */
import { join } from "node:path";
import { Admin, ProduceAcks, Producer, stringSerializers } from "@platformatic/kafka";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Manifest } from "../manifest.js";
import type { ScaledObject } from "../scaling.js";
import { renderOverlay } from "../render.js";
import { type RunningKafka, startKafka } from "../../toolkit/kafka.js";
import { waitFor } from "../../toolkit/net.js";
import type { Launched } from "../../toolkit/process.js";
import { toolForTests } from "../../toolkit/tools.js";
import { TASKFN_TOPICS } from "../../toolkit/topics.js";
import { applyInOrder, FIELD_MANAGER } from "./apply-overlays.js";
import { binary } from "./control-plane.js";
import { startKedaOperator } from "./keda-operator.js";
import type { KubeObject } from "./kube-client.js";
import { startTestCluster, type TestCluster } from "./test-cluster.js";

const kustomize = toolForTests("kustomize")!;
const log: string[] = [];

type Workload = { spec: { template: { spec: { containers: { env?: { valueFrom?: { secretKeyRef?: { name: string; key: string } } }[] }[] } } } };

/**
 * The Secrets the Deployments read (k8s/README.md has them created before the
 * deploy), with placeholder values: KEDA resolves its scale target's
 * environment before it builds a scaler, and gives up on a missing Secret.
 */
function referencedSecrets(manifests: readonly Manifest[], namespace: string): KubeObject[] {
  const keys = new Map<string, Set<string>>();
  for (const deployment of manifests.filter((m) => m.kind === "Deployment") as unknown as Workload[])
    for (const container of deployment.spec.template.spec.containers)
      for (const ref of (container.env ?? []).flatMap((e) => e.valueFrom?.secretKeyRef ?? []))
        keys.set(ref.name, (keys.get(ref.name) ?? new Set()).add(ref.key));
  return [...keys].map(([name, names]) => ({
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name, namespace },
    stringData: Object.fromEntries([...names].map((key) => [key, "placeholder"])),
  }));
}

describe("KEDA scales on-task-completed on its consumer group's lag", () => {
  const NAMESPACE = "taskfn-dev";
  const APP = "on-task-completed";
  const EVENTS = 5;
  let cluster: TestCluster;
  let kafka: RunningKafka;
  let operator: Launched;
  let admin: Admin;
  const replicas = async () =>
    (
      (await cluster.plane.client.get({ apiVersion: "apps/v1", kind: "Deployment", metadata: { name: APP, namespace: NAMESPACE } })) as
        { spec: { replicas?: number } } | undefined
    )?.spec.replicas;
  const waitForReplicas = (what: string, ok: (n: number) => boolean) =>
    waitFor(
      what,
      120_000,
      async () => {
        const n = await replicas();
        return n !== undefined && ok(n) ? n : undefined;
      },
      { intervalMs: 1000, describe: () => operator.tail() },
    );

  beforeAll(async () => {
    const operatorBinary = await binary("keda-operator");
    cluster = await startTestCluster((line) => log.push(line));
    const dev = await renderOverlay(kustomize, "dev");
    await applyInOrder(cluster.plane.client, dev);
    for (const secret of referencedSecrets(dev, NAMESPACE)) await cluster.plane.client.apply(secret, FIELD_MANAGER);
    kafka = await startKafka({ dataDir: join(cluster.dir, "kafka"), topics: TASKFN_TOPICS, log: (line) => log.push(`[kafka] ${line}`) });
    admin = new Admin({ clientId: "taskfn-k8s-test", bootstrapBrokers: [kafka.brokers] });
    await cluster.plane.client.apply({ apiVersion: "v1", kind: "Namespace", metadata: { name: "keda" } }, FIELD_MANAGER);
    const scaled = structuredClone(dev.find((m) => m.kind === "ScaledObject" && m.metadata.name === APP)!) as KubeObject & ScaledObject;
    const [trigger] = scaled.spec.triggers;
    trigger!.metadata.bootstrapServers = kafka.brokers;
    delete trigger!.authenticationRef;
    Object.assign(scaled.spec, { pollingInterval: 1, cooldownPeriod: 5 });
    await cluster.plane.client.apply(scaled, FIELD_MANAGER);
    operator = await startKedaOperator(operatorBinary, cluster.plane.kubeconfig, join(cluster.dir, "keda"), (line) => log.push(line));
  });
  afterAll(async () => {
    await admin?.close();
    await operator?.stop();
    await kafka?.stop();
    await cluster?.stop();
  });

  it("idle (no lag): KEDA scales the Deployment to 0", async () => {
    expect(await waitForReplicas("replicas 0 with no lag", (n) => n === 0)).toBe(0);
  });

  it(`${EVENTS} task.completed events nobody consumed: KEDA activates it (≥ 1 replica)`, async () => {
    expect(await replicas()).toBe(0);
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
