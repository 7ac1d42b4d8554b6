/**
 * KEDA, checked for real: the prod overlay's ScaledObject for onTaskCompleted,
 * measured against a real Kafka broker and the function's real daprd. With the
 * consumer stopped, N task.completed events wait on `tasks`; the lag KEDA's
 * kafka scaler computes from the broker's offsets (latest − committed of the
 * ScaledObject's consumerGroup, per partition of its topic) must be N, and
 * the replica count KEDA + HPA would ask for must stay within the partitions.
 * Started again, the consumer drains the topic: lag 0, replicas back to min.
 *
 * Only what it needs runs: Kafka, PostgreSQL (the suite's, a fresh database),
 * the onTaskCompleted bundle and one daprd. The ScaledObject is read from
 * `kustomize build k8s/overlays/prod`; its bootstrapServers (a cluster Service)
 * is the one setting replaced, by the local broker. The arithmetic lives in
 * k8s-generator/keda-lag.ts, which cites the KEDA and Kubernetes sources it follows.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Admin, murmur2, ProduceAcks, Producer, stringSerializers } from "@platformatic/kafka";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { DEV_DATA_DIR } from "../toolkit/paths.js";
import { startDevDatabase } from "../toolkit/dev-database.js";
import { onTaskCompleted } from "../functions/on-task-completed/definition.js";
import { startAppInstance, type AppInstance } from "../toolkit/app-instance.js";
import { renderDaprResources } from "../toolkit/dapr-resources.js";
import { startKafka } from "../toolkit/kafka.js";
import { freePort, waitFor } from "../toolkit/net.js";
import { TASKFN_TOPICS } from "../toolkit/topics.js";
import { toSubscription } from "../runtime/topic-trigger.js";
import { buildFunctions } from "../toolkit/build.js";
import { findComponent, metadataOf } from "../toolkit/dapr-sources.js";
import { kafkaConsumerOf } from "./kafka-consumer.js";
import { ofKind } from "./manifest.js";
import { renderOverlay } from "./render.js";
import type { ScaledObject } from "./scaling.js";
import { missingToolMessage, toolForTests } from "../toolkit/tools.js";
import {
  desiredReplicas,
  javaClientPartition,
  kafkaTriggerSettings,
  NO_COMMITTED_OFFSET,
  readScaler,
  type KafkaTriggerSettings,
  type PartitionOffsets,
  type ScalerReading,
} from "./keda-lag.js";
import { createLogBook, type LogBook } from "../toolkit/log-book.js";
import { taskJson } from "../test/events.js";

const kustomize = toolForTests("kustomize");

/** Events published while the consumer is down. */
const N = 60;
/** Distinct user ids (partition keys) they are spread over. */
const USERS = 30;
const RUN = randomBytes(3).toString("hex");
const COMMIT_TIMEOUT_MS = 60_000;
const DRAIN_TIMEOUT_MS = 90_000;

interface KafkaTopicManifest {
  spec: { partitions: number };
}

/** A task.completed CloudEvent whose data is a valid, non-recurring Task: the handler only records it. */
function completedTaskEvent(userId: string) {
  const now = new Date().toISOString();
  const id = randomUUID();
  const task = taskJson({ id, userId, title: "Lag probe", completed: true, completedAt: now });
  return {
    specversion: "1.0",
    id: randomUUID(),
    source: "/taskfn/keda-lag",
    type: "task.completed",
    subject: id,
    datacontenttype: "application/json",
    time: now,
    data: task,
  };
}

const toNumber = (offset: bigint) => {
  const value = Number(offset);
  if (!Number.isSafeInteger(value)) throw new Error(`offset ${offset} is beyond a safe integer`);
  return value;
};

/**
 * What KEDA's scaler reads on each poll: the topic's partitions (metadata),
 * each one's latest offset (ListOffsets, timestamp -1 = newest, read
 * uncommitted, as Sarama's GetAvailableOffsets with OffsetNewest), and the
 * group's committed offsets for them (OffsetFetch; -1 when none).
 */
async function readOffsets(admin: Admin, topic: string, group: string): Promise<PartitionOffsets[]> {
  const metadata = await admin.metadata({ topics: [topic], forceUpdate: true });
  const count = metadata.topics.get(topic)?.partitionsCount ?? 0;
  const ids = Array.from({ length: count }, (_, index) => index);
  const [listed, fetched] = await Promise.all([
    admin.listOffsets({ topics: [{ name: topic, partitions: ids.map((partitionIndex) => ({ partitionIndex, timestamp: -1n })) }] }),
    admin.listConsumerGroupOffsets({ groups: [{ groupId: group, topics: [{ name: topic, partitionIndexes: ids }] }] }),
  ]);
  const latest = new Map(listed.find((t) => t.name === topic)?.partitions.map((p) => [p.partitionIndex, toNumber(p.offset)]));
  const committed = new Map(
    fetched
      .find((g) => g.groupId === group)
      ?.topics.find((t) => t.name === topic)
      ?.partitions.map((p) => [p.partitionIndex, toNumber(p.committedOffset)]),
  );
  return ids.map((partition) => {
    const end = latest.get(partition);
    if (end === undefined) throw new Error(`no latest offset for ${topic}[${partition}]`);
    return { partition, latest: end, committed: committed.get(partition) ?? NO_COMMITTED_OFFSET };
  });
}

function lagTable(title: string, reading: ScalerReading, extra: string[] = []): string {
  const rows = reading.partitions.map(
    ({ partition, latest, committed, lag }) =>
      `  ${String(partition).padStart(9)} | ${String(latest).padStart(6)} | ${String(committed).padStart(9)} | ${String(lag).padStart(3)}`,
  );
  return [
    title,
    "  partition | latest | committed | lag",
    ...rows,
    `  total lag ${reading.totalLag} on ${reading.partitionsWithLag}/${reading.partitions.length} partitions; metric to the HPA ${reading.metric}${reading.capped ? " (capped)" : ""}; active ${reading.active}`,
    ...extra,
  ].join("\n");
}

if (!kustomize) {
  it.skip(`KEDA lag check: ${missingToolMessage("kustomize")}`, () => {});
} else {
  describe("KEDA's kafka scaler on the real onTaskCompleted consumer", () => {
    const appId = onTaskCompleted.appId;
    const subscription = toSubscription(onTaskCompleted);
    const stops: (() => Promise<void>)[] = [];
    let dataDir: string;
    let logs: LogBook;
    let scaledObject: ScaledObject;
    let trigger: Record<string, string>;
    let settings: KafkaTriggerSettings;
    let renderedPartitions: number;
    let brokers: string;
    let databaseUrl: string;
    let admin: Admin;
    let consumer: AppInstance | undefined;
    let startConsumer: () => Promise<AppInstance>;
    let partitions: number;
    const warmUp: number[] = [];

    const offsets = () => readOffsets(admin, trigger.topic!, trigger.consumerGroup!);
    const produce = async (messages: { topic: string; partition: number; key: string; value: string }[]) => {
      const producer = new Producer({
        clientId: "taskfn-e2e-keda",
        bootstrapBrokers: brokers.split(","),
        serializers: stringSerializers,
        acks: ProduceAcks.ALL,
      });
      try {
        await producer.send({ messages });
      } finally {
        await producer.close();
      }
    };
    // ListGroups, not DescribeGroups: @platformatic/kafka 1.35's describeGroups throws from its response
    // parser (uncaught, the promise never settles) on a member with no assignment yet, i.e. mid-rebalance.
    // STABLE means the group has members with partitions; EMPTY means none.
    const groupState = async () => (await admin.listGroups()).get(trigger.consumerGroup!)?.state;
    const bounds = () => ({ minReplicaCount: scaledObject.spec.minReplicaCount, maxReplicaCount: scaledObject.spec.maxReplicaCount });
    const stopConsumer = async () => {
      const running = consumer;
      consumer = undefined;
      await running?.stop();
    };
    const processedEvents = async () => {
      const client = new pg.Client({ connectionString: databaseUrl });
      await client.connect();
      try {
        const { rows } = await client.query<{ count: string }>("SELECT count(*) FROM processed_events WHERE consumer = $1", [appId]);
        return Number(rows[0]!.count);
      } finally {
        await client.end();
      }
    };

    beforeAll(async () => {
      const started = Date.now();
      const manifests = await renderOverlay(kustomize, "prod");
      const found = ofKind<ScaledObject>(manifests, "ScaledObject").filter((so) => so.spec.scaleTargetRef.name === appId);
      expect(found, `one ScaledObject targets ${appId}`).toHaveLength(1);
      scaledObject = found[0]!;
      const kafkaTriggers = scaledObject.spec.triggers.filter((t) => t.type === "kafka");
      expect(kafkaTriggers).toHaveLength(1);
      trigger = kafkaTriggers[0]!.metadata;
      settings = kafkaTriggerSettings(trigger);
      const topics = ofKind<KafkaTopicManifest>(manifests, "KafkaTopic").filter((t) => t.metadata.name === trigger.topic);
      expect(topics, `a KafkaTopic ${trigger.topic}`).toHaveLength(1);
      renderedPartitions = topics[0]!.spec.partitions;

      dataDir = await mkdtemp(join(tmpdir(), "taskfn-keda-"));
      logs = createLogBook(join(DEV_DATA_DIR, "e2e", "keda-lag.log"));
      stops.push(async () => {
        await logs.close();
        await rm(dataDir, { recursive: true, force: true });
      });
      const tracked = <T extends { stop(): Promise<void> }>(starting: Promise<T>) =>
        starting.then((running) => {
          stops.push(() => running.stop());
          return running;
        });
      const url = new URL(inject("postgresAdminUrl"));
      url.pathname = `/e2e_keda_lag_${RUN}`;
      const starting = [
        tracked(startDevDatabase({ url: url.href, dataDir: join(dataDir, "postgres"), port: 0 })),
        tracked(startKafka({ dataDir: join(dataDir, "kafka"), topics: TASKFN_TOPICS, log: (line) => logs.add("kafka", line) })),
        buildFunctions({ outdir: join(dataDir, "dist"), functions: [onTaskCompleted] }),
      ] as const;
      await Promise.allSettled(starting);
      const [database, kafka, build] = await Promise.all(starting);
      databaseUrl = database.url;
      brokers = kafka.brokers;
      admin = new Admin({ clientId: "taskfn-e2e-keda", bootstrapBrokers: brokers.split(","), retries: 3 });
      stops.push(() => admin.close());

      const resourcesPath = await renderDaprResources({ dir: join(dataDir, "dapr-resources"), brokers });
      const bundle = build.functions.find((built) => built.appId === appId)!.bundle;
      startConsumer = async () =>
        startAppInstance({
          definition: onTaskCompleted,
          name: appId,
          bundle,
          port: await freePort(),
          resourcesPath,
          env: { DATABASE_URL: databaseUrl, DATABASE_POOL_SIZE: "2", LOG_LEVEL: "info" },
          log: logs.add,
        });
      consumer = await startConsumer();
      stops.push(stopConsumer);
      console.log(`KEDA lag check: Kafka ${brokers}, ${appId} + daprd up in ${((Date.now() - started) / 1000).toFixed(1)} s (logs: ${logs.file})`);
    });

    afterAll(async () => {
      for (const stop of stops.splice(0).reverse()) await stop();
    });

    it("the prod ScaledObject watches the subscription's topic as the consumer group Dapr really uses", async () => {
      const consumerGroup = kafkaConsumerOf(metadataOf(await findComponent(subscription.pubsubname)), appId).consumerGroup;
      expect(trigger.consumerGroup).toBe(appId);
      expect(trigger.consumerGroup).toBe(consumerGroup);
      expect(trigger.topic).toBe(subscription.topic);
      expect(scaledObject.spec.maxReplicaCount).toBeLessThanOrEqual(renderedPartitions);
      partitions = (await offsets()).length;
      expect(partitions, "the broker's topic has the KafkaTopic's partitions").toBe(renderedPartitions);
      // The group exists on the broker under that name, with the sidecar as its (stable) member.
      const state = await waitFor(`group ${trigger.consumerGroup} to be STABLE`, COMMIT_TIMEOUT_MS, async () =>
        (await groupState()) === "STABLE" ? "STABLE" : undefined,
      );
      console.log(
        `ScaledObject ${scaledObject.metadata.name}: topic ${trigger.topic}, consumerGroup ${trigger.consumerGroup} (on the broker: ${state}), ` +
          `lagThreshold ${settings.lagThreshold}, activationLagThreshold ${settings.activationLagThreshold}, offsetResetPolicy ${settings.offsetResetPolicy}, ` +
          `min ${scaledObject.spec.minReplicaCount} / max ${scaledObject.spec.maxReplicaCount} replicas; ${partitions} partitions`,
      );
    });

    it("the consumer joins and commits on every partition: lag 0, nothing to scale", async () => {
      // One event per partition, so the group has a committed offset everywhere.
      await produce(
        Array.from({ length: partitions }, (_, partition) => {
          const userId = `keda-${RUN}-warm-${partition}`;
          return { topic: trigger.topic!, partition, key: userId, value: JSON.stringify(completedTaskEvent(userId)) };
        }),
      );
      const started = Date.now();
      const settled = await waitFor(`${trigger.consumerGroup} to commit on every partition of ${trigger.topic}`, COMMIT_TIMEOUT_MS, async () => {
        const read = await offsets();
        return read.every(({ latest, committed }) => committed !== NO_COMMITTED_OFFSET && committed === latest) ? read : undefined;
      });
      warmUp.push(...settled.map(({ latest }) => latest));
      const reading = readScaler(settled, settings);
      console.log(lagTable(`after the warm-up (committed in ${((Date.now() - started) / 1000).toFixed(1)} s):`, reading));
      expect(reading.totalLag).toBe(0);
      expect(reading.active).toBe(false);
      expect(desiredReplicas(reading, settings, bounds())).toBe(scaledObject.spec.minReplicaCount);
    });

    it(`with the consumer stopped, ${N} task.completed events are a lag of exactly ${N}, and KEDA's replicas stay within the partitions`, async () => {
      await stopConsumer();
      // The sidecar leaves the group as it stops (or, killed, after the session timeout): nobody consumes while we measure.
      await waitFor(`group ${trigger.consumerGroup} to be EMPTY`, COMMIT_TIMEOUT_MS, async () => ((await groupState()) === "EMPTY" ? true : undefined));

      // N events over USERS keys, each on the partition a Java client would pick for its key.
      const expected = new Array<number>(partitions).fill(0);
      const messages = Array.from({ length: N }, (_, index) => {
        const userId = `keda-${RUN}-user-${index % USERS}`;
        const partition = javaClientPartition(murmur2(userId), partitions);
        expected[partition]! += 1;
        return { topic: trigger.topic!, partition, key: userId, value: JSON.stringify(completedTaskEvent(userId)) };
      });
      await produce(messages);

      const reading = readScaler(await offsets(), settings);
      const replicas = desiredReplicas(reading, settings, bounds());
      // The same numbers with lagThreshold 1, where the partition cap has to bind; and without the cap.
      const one = { ...settings, lagThreshold: 1 };
      const oneReading = readScaler(reading.partitions, one);
      const oneReplicas = desiredReplicas(oneReading, one, { ...bounds(), maxReplicaCount: Number.MAX_SAFE_INTEGER });
      const idle = { ...one, allowIdleConsumers: true };
      const idleReplicas = desiredReplicas(readScaler(reading.partitions, idle), idle, { ...bounds(), maxReplicaCount: Number.MAX_SAFE_INTEGER });
      console.log(
        lagTable(`${N} events, consumer stopped:`, reading, [
          `  desired replicas (lagThreshold ${settings.lagThreshold}, min ${scaledObject.spec.minReplicaCount}, max ${scaledObject.spec.maxReplicaCount}): ceil(${reading.metric} / ${settings.lagThreshold}) = ${replicas}`,
          `  with lagThreshold 1: metric ${oneReading.metric} (${oneReading.capped ? `capped at ${partitions} partitions × 1` : "not capped"}) → ${oneReplicas} replicas, even with no maxReplicaCount; allowIdleConsumers would ask ${idleReplicas}`,
        ]),
      );

      expect(reading.partitions.map(({ lag }) => lag)).toEqual(expected);
      expect(reading.partitions.map(({ committed }) => committed)).toEqual(warmUp);
      expect(reading.totalLag).toBe(N);
      expect(reading.partitionsWithLag).toBeGreaterThanOrEqual(2);
      expect(reading.active).toBe(true);
      expect(replicas).toBe(Math.min(Math.ceil(N / settings.lagThreshold), scaledObject.spec.maxReplicaCount));
      expect(replicas).toBeGreaterThanOrEqual(1);
      expect(replicas).toBeLessThanOrEqual(partitions);
      // The cap binds at lagThreshold 1: N lag but only `partitions` consumers.
      expect(oneReading).toMatchObject({ totalLag: N, metric: partitions, capped: true });
      expect(oneReplicas).toBe(partitions);
      expect(idleReplicas).toBe(N);
    });

    it(
      "started again, the consumer drains the topic: lag back to 0, replicas back to min, every event processed once",
      { timeout: DRAIN_TIMEOUT_MS + 60_000 },
      async () => {
        const started = Date.now();
        consumer = await startConsumer();
        const up = Date.now();
        const drained = await waitFor(
          `${trigger.consumerGroup} to catch up on ${trigger.topic}`,
          DRAIN_TIMEOUT_MS,
          async () => {
            const reading = readScaler(await offsets(), settings);
            return reading.totalLag === 0 ? reading : undefined;
          },
          { intervalMs: 250 },
        );
        const done = Date.now();
        const replicas = desiredReplicas(drained, settings, bounds());
        console.log(
          lagTable(
            `consumer restarted (app + daprd ready in ${((up - started) / 1000).toFixed(1)} s, lag 0 after ${((done - started) / 1000).toFixed(1)} s):`,
            drained,
            [`  desired replicas: ${replicas} (min ${scaledObject.spec.minReplicaCount}, after cooldownPeriod ${scaledObject.spec.cooldownPeriod} s)`],
          ),
        );
        expect(drained.totalLag).toBe(0);
        expect(drained.active).toBe(false);
        expect(replicas).toBe(scaledObject.spec.minReplicaCount);
        // Offsets moved because the function handled the events, not because they were skipped.
        expect(await processedEvents()).toBe(partitions + N);
      },
    );
  });
}
