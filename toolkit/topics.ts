/**
 * The Kafka topics taskfn needs, with their partitions and retention: one
 * table that the cluster's Strimzi KafkaTopics (k8s-generator/kafka-topics.ts)
 * and every local broker (created explicitly: the broker never auto-creates)
 * are made from, so local and cluster topics cannot drift.
 */
import { DEAD_LETTER_TOPICS, TOPICS } from "../tasks/events.js";
import type { KafkaTopic } from "./kafka.js";

export const TOPIC_NAMES: readonly string[] = [...Object.values(TOPICS), ...Object.values(DEAD_LETTER_TOPICS)];

export interface TopicSettings {
  partitions: number;
  retentionHours: number;
}

/**
 * Partitions bound a consumer's replicas (KEDA never runs more consumers than
 * partitions); dead-letter topics have no consumer, so one partition and a long
 * retention for someone to inspect them.
 */
export const TOPIC_SETTINGS: Readonly<Record<string, TopicSettings>> = {
  [TOPICS.tasks]: { partitions: 6, retentionHours: 7 * 24 },
  [TOPICS.reminders]: { partitions: 3, retentionHours: 3 * 24 },
  [DEAD_LETTER_TOPICS.tasks]: { partitions: 1, retentionHours: 14 * 24 },
  [DEAD_LETTER_TOPICS.reminders]: { partitions: 1, retentionHours: 14 * 24 },
};

export const TASKFN_TOPICS: readonly KafkaTopic[] = TOPIC_NAMES.map((name) => {
  const settings = TOPIC_SETTINGS[name];
  if (!settings) throw new Error(`topic ${name} has no partition count in toolkit/topics.ts TOPIC_SETTINGS`);
  return { name, partitions: settings.partitions };
});
