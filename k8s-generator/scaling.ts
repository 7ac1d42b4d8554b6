/**
 * How many replicas each kind of function runs: HTTP functions on CPU (HPA,
 * never below HTTP_SCALING.minReplicas, with a disruption budget), topic
 * consumers on their consumer group's lag (KEDA), cron functions fixed (in the
 * Deployment).
 */
import { HorizontalPodAutoscaler } from "kubernetes-models/autoscaling/v2";
import { PodDisruptionBudget } from "kubernetes-models/policy/v1";
import type { FunctionDefinition, HttpTrigger, TopicTrigger } from "../runtime/types.js";
import type { KafkaConsumer } from "./kafka-consumer.js";
import { labelsOf, selectorOf } from "./labels.js";
import { CONSUMER_SCALING, HTTP_SCALING, KEDA_BOOTSTRAP_SERVERS } from "./settings.js";

export function horizontalPodAutoscalerOf({ appId }: FunctionDefinition<HttpTrigger>): HorizontalPodAutoscaler {
  return new HorizontalPodAutoscaler({
    metadata: { name: appId, labels: labelsOf(appId, "function") },
    spec: {
      scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: appId },
      minReplicas: HTTP_SCALING.minReplicas,
      maxReplicas: HTTP_SCALING.maxReplicas,
      metrics: [{ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: HTTP_SCALING.cpuUtilization } } }],
    },
  });
}

/** maxUnavailable rather than minAvailable: a one-replica dev overlay can still drain a node. */
export function podDisruptionBudgetOf({ appId }: FunctionDefinition<HttpTrigger>): PodDisruptionBudget {
  return new PodDisruptionBudget({
    metadata: { name: appId, labels: labelsOf(appId, "function") },
    spec: { maxUnavailable: 1, selector: { matchLabels: selectorOf(appId) } },
  });
}

/** KEDA's ScaledObject; no kubernetes-models type exists for it, the keda.sh schema validates it. */
export interface ScaledObject {
  apiVersion: "keda.sh/v1alpha1";
  kind: "ScaledObject";
  metadata: { name: string; labels: Record<string, string> };
  spec: {
    scaleTargetRef: { name: string };
    minReplicaCount: number;
    maxReplicaCount: number;
    pollingInterval: number;
    cooldownPeriod: number;
    triggers: { type: "kafka"; metadata: Record<string, string> }[];
  };
}

/**
 * Lag-based scaling of a topic consumer. `partitions` caps the replicas: a
 * consumer beyond the partition count would own no partition.
 */
export function scaledObjectOf({ appId, trigger }: FunctionDefinition<TopicTrigger>, consumer: KafkaConsumer, partitions: number): ScaledObject {
  return {
    apiVersion: "keda.sh/v1alpha1",
    kind: "ScaledObject",
    metadata: { name: appId, labels: labelsOf(appId, "function") },
    spec: {
      scaleTargetRef: { name: appId },
      minReplicaCount: CONSUMER_SCALING.minReplicas,
      maxReplicaCount: partitions,
      pollingInterval: CONSUMER_SCALING.pollingIntervalSeconds,
      cooldownPeriod: CONSUMER_SCALING.cooldownPeriodSeconds,
      triggers: [
        {
          type: "kafka",
          metadata: {
            bootstrapServers: KEDA_BOOTSTRAP_SERVERS,
            topic: trigger.topic,
            consumerGroup: consumer.consumerGroup,
            lagThreshold: String(CONSUMER_SCALING.lagThreshold),
            activationLagThreshold: String(CONSUMER_SCALING.activationLagThreshold),
            offsetResetPolicy: consumer.offsetResetPolicy,
            // A group that never committed counts as lagging (from offsetResetPolicy),
            // not as idle: otherwise a scaled-to-zero consumer would never start.
            scaleToZeroOnInvalidOffset: "false",
            ...(consumer.version ? { version: consumer.version } : {}),
          },
        },
      ],
    },
  };
}
