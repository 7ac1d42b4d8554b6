/**
 * The Kafka topics taskfn needs, created explicitly (the broker never
 * auto-creates): partition counts come from the same settings the Strimzi
 * KafkaTopics are generated from, so local and cluster topics cannot drift.
 */
import { TOPIC_NAMES } from "../k8s-generator/kafka-topics.js";
import { TOPIC_SETTINGS } from "../k8s-generator/settings.js";
import type { KafkaTopic } from "./kafka.js";

export const TASKFN_TOPICS: readonly KafkaTopic[] = TOPIC_NAMES.map((name) => {
  const settings = TOPIC_SETTINGS[name];
  if (!settings) throw new Error(`topic ${name} has no partition count in k8s-generator/settings.ts TOPIC_SETTINGS`);
  return { name, partitions: settings.partitions };
});
