/**
 * What KEDA's `kafka` scaler and the HPA it drives make of a consumer group's
 * offsets: the lag per partition, the metric KEDA reports, whether the trigger
 * is active, and the replica count the HPA would target. Pure arithmetic over
 * offsets read elsewhere (k8s-generator/keda-lag.e2e.test.ts reads them from a real broker),
 * so the ScaledObject settings in k8s-scaling.ts can be checked against numbers.
 *
 * Transcribed from the sources, not from memory:
 *  - kedacore/keda pkg/scalers/kafka_scaler.go (the Sarama-based `kafka` scaler):
 *    parseKafkaMetadata (defaults: lagThreshold 10, activationLagThreshold 0,
 *    offsetResetPolicy latest; lagThreshold must be > 0; allowIdleConsumers and
 *    limitToPartitionsWithLag exclude each other, as do limitToPartitionsWithLag
 *    and ensureEvenDistributionOfPartitions);
 *    getLagForPartition (latest offset − committed offset; committed = -1 means
 *    none: `latest` → 1, or 0 with scaleToZeroOnInvalidOffset; `earliest` →
 *    the latest offset, or 0 with scaleToZeroOnInvalidOffset);
 *    getTotalLag (sum over the topic's partitions; unless allowIdleConsumers,
 *    when totalLag / lagThreshold (Go int64 division) exceeds the partition
 *    count — or the count of partitions with lag > 0 under
 *    limitToPartitionsWithLag — the metric becomes bound × lagThreshold;
 *    ensureEvenDistributionOfPartitions rounds up to a factor of the count);
 *    GetMetricsAndActivity (metric = that total, in milli-units; active when the
 *    uncapped total > activationLagThreshold);
 *    GetMetricSpecForScaling → GetMetricTarget (pkg/scalers/scaler.go): an
 *    External metric with an AverageValue target of lagThreshold, AverageValue
 *    being the default metricType (GetMetricTargetType).
 *  - kedacore/keda pkg/scaling/executor/scale_scaledobjects.go: inactive with
 *    minReplicaCount 0 → scaled to 0 once cooldownPeriod has passed; active at 0
 *    replicas → scaleFromZeroOrIdle sets max(minReplicaCount, 1), then the HPA
 *    takes over. controllers/keda/hpa.go getHPAMinReplicas: the HPA's
 *    minReplicas is minReplicaCount, or 1 when that is 0; maxReplicas is
 *    maxReplicaCount.
 *  - kubernetes pkg/controller/podautoscaler/replica_calculator.go
 *    GetExternalPerPodMetricReplicas: ratio = metric / (target × current
 *    replicas); within the tolerance (default 0.1) the count stays, else it is
 *    ceil(metric / target); the controller then clamps it to [minReplicas,
 *    maxReplicas]. (Its behavior rules — scale-up rate, the 300 s scale-down
 *    stabilization window — shape how fast that target is reached, not the target.)
 */

export type OffsetResetPolicy = "earliest" | "latest";

/** A `kafka` trigger's settings that change the arithmetic, with KEDA's defaults applied. */
export interface KafkaTriggerSettings {
  lagThreshold: number;
  activationLagThreshold: number;
  offsetResetPolicy: OffsetResetPolicy;
  allowIdleConsumers: boolean;
  limitToPartitionsWithLag: boolean;
  ensureEvenDistributionOfPartitions: boolean;
  scaleToZeroOnInvalidOffset: boolean;
}

const KEDA_DEFAULT_LAG_THRESHOLD = 10;
const KEDA_DEFAULT_ACTIVATION_LAG_THRESHOLD = 0;
/** Kafka's "no committed offset" in an OffsetFetch answer. */
export const NO_COMMITTED_OFFSET = -1;
/** --horizontal-pod-autoscaler-tolerance's default. */
export const HPA_DEFAULT_TOLERANCE = 0.1;

function integer(metadata: Readonly<Record<string, string | undefined>>, name: string, fallback: number): number {
  const raw = metadata[name];
  if (raw === undefined) return fallback;
  if (!/^-?\d+$/.test(raw.trim())) throw new Error(`kafka trigger ${name} "${raw}" is not an integer`);
  return Number(raw);
}

function bool(metadata: Readonly<Record<string, string | undefined>>, name: string): boolean {
  const raw = metadata[name];
  if (raw === undefined) return false;
  // Go's strconv.ParseBool.
  if (["1", "t", "T", "TRUE", "true", "True"].includes(raw)) return true;
  if (["0", "f", "F", "FALSE", "false", "False"].includes(raw)) return false;
  throw new Error(`kafka trigger ${name} "${raw}" is not a boolean`);
}

/**
 * A ScaledObject kafka trigger's metadata, read the way parseKafkaMetadata does.
 * Settings whose effect depends on more than one poll or on a partition subset
 * (excludePersistentLag, partitionLimitation) are refused rather than ignored.
 */
export function kafkaTriggerSettings(metadata: Readonly<Record<string, string | undefined>>): KafkaTriggerSettings {
  for (const unsupported of ["excludePersistentLag", "partitionLimitation"]) {
    if (metadata[unsupported] !== undefined && metadata[unsupported] !== "false" && metadata[unsupported] !== "") {
      throw new Error(`kafka trigger ${unsupported} is not modelled here (it needs the scaler's previous poll or a partition subset)`);
    }
  }
  const lagThreshold = integer(metadata, "lagThreshold", KEDA_DEFAULT_LAG_THRESHOLD);
  if (lagThreshold <= 0) throw new Error(`kafka trigger lagThreshold must be positive (got ${lagThreshold})`);
  const activationLagThreshold = integer(metadata, "activationLagThreshold", KEDA_DEFAULT_ACTIVATION_LAG_THRESHOLD);
  if (activationLagThreshold < 0) throw new Error(`kafka trigger activationLagThreshold must not be negative (got ${activationLagThreshold})`);
  const policy = metadata.offsetResetPolicy || "latest";
  if (policy !== "earliest" && policy !== "latest") throw new Error(`kafka trigger offsetResetPolicy "${policy}" is neither earliest nor latest`);
  const settings: KafkaTriggerSettings = {
    lagThreshold,
    activationLagThreshold,
    offsetResetPolicy: policy,
    allowIdleConsumers: bool(metadata, "allowIdleConsumers"),
    limitToPartitionsWithLag: bool(metadata, "limitToPartitionsWithLag"),
    ensureEvenDistributionOfPartitions: bool(metadata, "ensureEvenDistributionOfPartitions"),
    scaleToZeroOnInvalidOffset: bool(metadata, "scaleToZeroOnInvalidOffset"),
  };
  if (settings.allowIdleConsumers && settings.limitToPartitionsWithLag)
    throw new Error("allowIdleConsumers and limitToPartitionsWithLag cannot be set simultaneously");
  if (settings.limitToPartitionsWithLag && settings.ensureEvenDistributionOfPartitions) {
    throw new Error("limitToPartitionsWithLag and ensureEvenDistributionOfPartitions cannot be set simultaneously");
  }
  return settings;
}

/** One partition of the trigger's topic: the broker's latest offset (high watermark) and the group's commit. */
export interface PartitionOffsets {
  partition: number;
  latest: number;
  /** NO_COMMITTED_OFFSET (-1) when the group never committed on this partition. */
  committed: number;
}

export interface PartitionLag extends PartitionOffsets {
  lag: number;
}

/** getLagForPartition, without excludePersistentLag. */
export function partitionLag({ latest, committed }: PartitionOffsets, settings: KafkaTriggerSettings): number {
  if (committed === NO_COMMITTED_OFFSET) {
    if (settings.scaleToZeroOnInvalidOffset) return 0;
    return settings.offsetResetPolicy === "latest" ? 1 : latest;
  }
  return latest - committed;
}

/** FindFactors: the divisors of n, ascending. */
function factors(n: number): number[] {
  const found: number[] = [];
  for (let i = 1; i * i <= n; i++) {
    if (n % i === 0) found.push(i, n / i);
  }
  return [...new Set(found)].sort((a, b) => a - b);
}

export interface ScalerReading {
  partitions: PartitionLag[];
  /** The plain sum of the partitions' lag (KEDA's totalLagWithPersistent). */
  totalLag: number;
  partitionsWithLag: number;
  /** What KEDA reports to the HPA: totalLag, capped unless allowIdleConsumers. */
  metric: number;
  /** Whether the cap lowered the metric. */
  capped: boolean;
  /** GetMetricsAndActivity's activity: totalLag > activationLagThreshold. */
  active: boolean;
}

/** getTotalLag + GetMetricsAndActivity over one topic's partitions. */
export function readScaler(offsets: readonly PartitionOffsets[], settings: KafkaTriggerSettings): ScalerReading {
  if (offsets.length === 0) throw new Error("KEDA fails a topic with no partitions (expected at least one active partition)");
  const partitions = [...offsets].sort((a, b) => a.partition - b.partition).map((offsets) => ({ ...offsets, lag: partitionLag(offsets, settings) }));
  const totalLag = partitions.reduce((sum, { lag }) => sum + lag, 0);
  const partitionsWithLag = partitions.filter(({ lag }) => lag > 0).length;
  const threshold = settings.lagThreshold;
  let metric = totalLag;
  if (!settings.allowIdleConsumers || settings.limitToPartitionsWithLag || settings.ensureEvenDistributionOfPartitions) {
    const count = partitions.length;
    if (settings.ensureEvenDistributionOfPartitions) {
      const factor = factors(count).find((f) => f * threshold >= metric) ?? count;
      metric = factor * threshold;
    }
    const upperBound = settings.limitToPartitionsWithLag ? partitionsWithLag : count;
    // Go: (totalLag / s.metadata.lagThreshold) > upperBound, an int64 division.
    if (Math.trunc(metric / threshold) > upperBound) metric = upperBound * threshold;
  }
  return { partitions, totalLag, partitionsWithLag, metric, capped: metric < totalLag, active: totalLag > settings.activationLagThreshold };
}

export interface ReplicaBounds {
  minReplicaCount: number;
  maxReplicaCount: number;
}

/**
 * The replica count KEDA and its HPA settle on for one reading (one kafka
 * trigger, AverageValue target), from `currentReplicas` (0 = scaled to zero).
 * An inactive trigger with minReplicaCount 0 means zero (after cooldownPeriod).
 */
export function desiredReplicas(
  reading: Pick<ScalerReading, "metric" | "active">,
  settings: Pick<KafkaTriggerSettings, "lagThreshold">,
  { minReplicaCount, maxReplicaCount }: ReplicaBounds,
  currentReplicas = 0,
  tolerance = HPA_DEFAULT_TOLERANCE,
): number {
  if (!reading.active && minReplicaCount === 0) return 0;
  const hpaMin = Math.max(minReplicaCount, 1);
  // From zero, KEDA first sets max(minReplicaCount, 1); the HPA starts from there.
  const current = currentReplicas > 0 ? currentReplicas : hpaMin;
  const ratio = reading.metric / (settings.lagThreshold * current);
  const proposal = Math.abs(1 - ratio) <= tolerance ? current : Math.ceil(reading.metric / settings.lagThreshold);
  return Math.min(Math.max(proposal, hpaMin), maxReplicaCount);
}

/** The partition a Kafka Java client's default partitioner picks for a key: toPositive(murmur2(key)) % partitions. */
export function javaClientPartition(murmur2Hash: number, partitions: number): number {
  return (murmur2Hash & 0x7fffffff) % partitions;
}
