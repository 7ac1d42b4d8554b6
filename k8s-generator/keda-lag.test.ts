import { describe, expect, it } from "vitest";
import {
  desiredReplicas,
  javaClientPartition,
  kafkaTriggerSettings,
  NO_COMMITTED_OFFSET,
  partitionLag,
  readScaler,
  type PartitionOffsets,
} from "./keda-lag.js";

/** The prod overlay's on-task-completed trigger (k8s-scaling.ts scaledObjectOf). */
const PROD_TRIGGER = {
  bootstrapServers: "taskfn-kafka-bootstrap.taskfn.svc:9092",
  topic: "tasks",
  consumerGroup: "on-task-completed",
  lagThreshold: "20",
  activationLagThreshold: "0",
  offsetResetPolicy: "earliest",
  scaleToZeroOnInvalidOffset: "false",
  version: "4.0.0",
};
const PROD_BOUNDS = { minReplicaCount: 0, maxReplicaCount: 6 };

/** `lags[p]` pending events on partition p, everything before them committed. */
function lagging(lags: readonly number[], committedUpTo = 100): PartitionOffsets[] {
  return lags.map((lag, partition) => ({ partition, committed: committedUpTo, latest: committedUpTo + lag }));
}

describe("kafkaTriggerSettings", () => {
  it("reads a ScaledObject's kafka trigger", () => {
    expect(kafkaTriggerSettings(PROD_TRIGGER)).toEqual({
      lagThreshold: 20,
      activationLagThreshold: 0,
      offsetResetPolicy: "earliest",
      allowIdleConsumers: false,
      limitToPartitionsWithLag: false,
      ensureEvenDistributionOfPartitions: false,
      scaleToZeroOnInvalidOffset: false,
    });
  });

  it("applies KEDA's defaults: lagThreshold 10, activation 0, offsetResetPolicy latest", () => {
    expect(kafkaTriggerSettings({ topic: "t", consumerGroup: "g" })).toMatchObject({
      lagThreshold: 10,
      activationLagThreshold: 0,
      offsetResetPolicy: "latest",
    });
  });

  it("refuses what KEDA refuses, and what is not modelled", () => {
    expect(() => kafkaTriggerSettings({ lagThreshold: "0" })).toThrow(/positive/);
    expect(() => kafkaTriggerSettings({ activationLagThreshold: "-1" })).toThrow(/negative/);
    expect(() => kafkaTriggerSettings({ offsetResetPolicy: "oldest" })).toThrow(/offsetResetPolicy/);
    expect(() => kafkaTriggerSettings({ allowIdleConsumers: "true", limitToPartitionsWithLag: "true" })).toThrow(/simultaneously/);
    expect(() => kafkaTriggerSettings({ allowIdleConsumers: "yes" })).toThrow(/boolean/);
    expect(() => kafkaTriggerSettings({ excludePersistentLag: "true" })).toThrow(/not modelled/);
  });
});

describe("partitionLag (getLagForPartition)", () => {
  const earliest = kafkaTriggerSettings({ offsetResetPolicy: "earliest" });
  const latest = kafkaTriggerSettings({ offsetResetPolicy: "latest" });

  it("is the latest offset minus the committed one", () => {
    expect(partitionLag({ partition: 0, latest: 42, committed: 30 }, earliest)).toBe(12);
    expect(partitionLag({ partition: 0, latest: 42, committed: 42 }, latest)).toBe(0);
  });

  it("without a commit: everything under earliest, 1 under latest, 0 with scaleToZeroOnInvalidOffset", () => {
    const none = { partition: 0, latest: 7, committed: NO_COMMITTED_OFFSET };
    expect(partitionLag(none, earliest)).toBe(7);
    expect(partitionLag(none, latest)).toBe(1);
    expect(partitionLag(none, kafkaTriggerSettings({ offsetResetPolicy: "earliest", scaleToZeroOnInvalidOffset: "true" }))).toBe(0);
    expect(partitionLag(none, kafkaTriggerSettings({ offsetResetPolicy: "latest", scaleToZeroOnInvalidOffset: "true" }))).toBe(0);
  });
});

describe("readScaler + desiredReplicas", () => {
  const prod = kafkaTriggerSettings(PROD_TRIGGER);

  it("60 pending on 6 partitions at threshold 20: metric 60, 3 replicas, below the partition cap", () => {
    const reading = readScaler(lagging([12, 9, 11, 8, 10, 10]), prod);
    expect(reading).toMatchObject({ totalLag: 60, partitionsWithLag: 6, metric: 60, capped: false, active: true });
    expect(desiredReplicas(reading, prod, PROD_BOUNDS)).toBe(3);
  });

  it("at threshold 1 the partition cap binds: metric = partitions × threshold, replicas = partitions", () => {
    const one = { ...prod, lagThreshold: 1 };
    const reading = readScaler(lagging([12, 9, 11, 8, 10, 10]), one);
    expect(reading).toMatchObject({ totalLag: 60, metric: 6, capped: true });
    expect(desiredReplicas(reading, one, { minReplicaCount: 0, maxReplicaCount: 100 })).toBe(6);
    // allowIdleConsumers lifts the cap: only maxReplicaCount holds it.
    const idle = { ...one, allowIdleConsumers: true };
    expect(readScaler(lagging([12, 9, 11, 8, 10, 10]), idle).metric).toBe(60);
    expect(desiredReplicas(readScaler(lagging([12, 9, 11, 8, 10, 10]), idle), idle, { minReplicaCount: 0, maxReplicaCount: 100 })).toBe(60);
  });

  it("the cap uses integer division, so one replica past the partitions gets through unless maxReplicaCount stops it", () => {
    // 125 / 20 = 6 in Go, not > 6 partitions: the metric stays 125 and the HPA asks ceil(125 / 20) = 7.
    const reading = readScaler(lagging([21, 21, 21, 21, 21, 20]), prod);
    expect(reading).toMatchObject({ totalLag: 125, metric: 125, capped: false });
    expect(desiredReplicas(reading, prod, { minReplicaCount: 0, maxReplicaCount: 10 })).toBe(7);
    expect(desiredReplicas(reading, prod, PROD_BOUNDS)).toBe(6);
    // From 141 on, the cap binds: 141 / 20 = 7 > 6 → metric 120 → 6.
    expect(readScaler(lagging([24, 24, 24, 23, 23, 23]), prod)).toMatchObject({ totalLag: 141, metric: 120, capped: true });
  });

  it("limitToPartitionsWithLag caps at the partitions that have lag", () => {
    const settings = kafkaTriggerSettings({ lagThreshold: "5", limitToPartitionsWithLag: "true" });
    const reading = readScaler(lagging([30, 0, 30, 0, 0, 0]), settings);
    expect(reading).toMatchObject({ totalLag: 60, partitionsWithLag: 2, metric: 10 });
    expect(desiredReplicas(reading, settings, { minReplicaCount: 0, maxReplicaCount: 6 })).toBe(2);
  });

  it("ensureEvenDistributionOfPartitions rounds up to a divisor of the partition count", () => {
    const settings = kafkaTriggerSettings({ lagThreshold: "20", ensureEvenDistributionOfPartitions: "true" });
    // 90 needs 4.5 consumers; the next divisor of 6 is 6.
    expect(readScaler(lagging([15, 15, 15, 15, 15, 15]), settings).metric).toBe(120);
    // 50 needs 2.5; the next divisor is 3.
    expect(readScaler(lagging([10, 10, 10, 10, 10, 0]), settings).metric).toBe(60);
  });

  it("is inactive (and at zero with minReplicaCount 0) at or below activationLagThreshold", () => {
    expect(desiredReplicas(readScaler(lagging([0, 0, 0, 0, 0, 0]), prod), prod, PROD_BOUNDS)).toBe(0);
    const five = { ...prod, activationLagThreshold: 5 };
    expect(readScaler(lagging([5, 0, 0, 0, 0, 0]), five).active).toBe(false);
    expect(desiredReplicas(readScaler(lagging([5, 0, 0, 0, 0, 0]), five), five, PROD_BOUNDS)).toBe(0);
    expect(desiredReplicas(readScaler(lagging([6, 0, 0, 0, 0, 0]), five), five, PROD_BOUNDS)).toBe(1);
    // With minReplicaCount 2 the HPA keeps two, whatever the lag.
    expect(desiredReplicas(readScaler(lagging([0, 0, 0, 0, 0, 0]), prod), prod, { minReplicaCount: 2, maxReplicaCount: 6 })).toBe(2);
  });

  it("a group that never committed counts its whole backlog under earliest, so it starts from zero", () => {
    const never = [0, 1, 2].map((partition) => ({ partition, latest: 4, committed: NO_COMMITTED_OFFSET }));
    const reading = readScaler(never, prod);
    expect(reading).toMatchObject({ totalLag: 12, active: true });
    expect(desiredReplicas(reading, prod, { minReplicaCount: 0, maxReplicaCount: 3 })).toBe(1);
  });

  it("the HPA keeps the current count within its 10 % tolerance", () => {
    expect(desiredReplicas({ metric: 62, active: true }, prod, PROD_BOUNDS, 3)).toBe(3);
    expect(desiredReplicas({ metric: 70, active: true }, prod, PROD_BOUNDS, 3)).toBe(4);
    expect(desiredReplicas({ metric: 20, active: true }, prod, PROD_BOUNDS, 3)).toBe(1);
  });
});

describe("javaClientPartition", () => {
  it("maps a murmur2 hash like Kafka's Java clients: toPositive(hash) % partitions", () => {
    // murmur2("21") = -973932308 (Kafka's UtilsTest); toPositive → 1173551340.
    expect(javaClientPartition(-973932308, 6)).toBe(1173551340 % 6);
    expect(javaClientPartition(479470107, 6)).toBe(479470107 % 6);
  });
});
