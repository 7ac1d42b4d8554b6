/**
 * The Strimzi KafkaTopics: every topic and dead-letter topic tasks/events.ts
 * names. The cluster does not auto-create topics, so a topic missing here is a
 * publish failure, not a silently created one-partition topic.
 */
import { TOPIC_SETTINGS } from "../toolkit/topics.js";
import { KAFKA_CLUSTER, KAFKA_REPLICATION } from "./settings.js";

export interface KafkaTopic {
  apiVersion: "kafka.strimzi.io/v1";
  kind: "KafkaTopic";
  metadata: { name: string; labels: Record<string, string> };
  spec: { partitions: number; replicas: number; config: Record<string, string | number> };
}

const HOUR_MS = 3_600_000;

export function kafkaTopicOf(name: string): KafkaTopic {
  const settings = TOPIC_SETTINGS[name];
  if (!settings) throw new Error(`topic ${name} has no partitions/retention in toolkit/topics.ts TOPIC_SETTINGS`);
  return {
    apiVersion: "kafka.strimzi.io/v1",
    kind: "KafkaTopic",
    // The Topic Operator manages only topics labelled with their cluster.
    metadata: { name, labels: { "strimzi.io/cluster": KAFKA_CLUSTER } },
    spec: {
      partitions: settings.partitions,
      replicas: KAFKA_REPLICATION.replicas,
      config: {
        "retention.ms": settings.retentionHours * HOUR_MS,
        "min.insync.replicas": KAFKA_REPLICATION.minInSyncReplicas,
        "cleanup.policy": "delete",
      },
    },
  };
}
