/**
 * Reads what really reaches Kafka: one consumer in a throwaway group, from the
 * earliest offset of every topic, keeping each record for the scenarios to
 * inspect. It only reads, never commits, so it does not disturb the sidecars'
 * consumer groups.
 */
import { randomUUID } from "node:crypto";
import { Consumer, MessagesStreamModes, stringDeserializers } from "@platformatic/kafka";
import type { TopicRecord } from "./target.js";

export interface KafkaTap {
  records(topic: string): readonly TopicRecord[];
  stop(): Promise<void>;
}

export async function startKafkaTap(brokers: string, topics: readonly string[]): Promise<KafkaTap> {
  const consumer = new Consumer({
    clientId: "taskfn-e2e-tap",
    groupId: `taskfn-e2e-tap-${randomUUID()}`,
    bootstrapBrokers: brokers.split(","),
    deserializers: stringDeserializers,
    // Short fetch waits: a scenario waiting for a record should not wait on the tap.
    maxWaitTime: 200,
  });
  const seen = new Map<string, TopicRecord[]>(topics.map((topic) => [topic, []]));
  const stream = await consumer.consume({ topics: [...topics], mode: MessagesStreamModes.EARLIEST, autocommit: false });
  stream.on("data", (message) => {
    seen.get(message.topic)?.push({ topic: message.topic, key: message.key || undefined, value: message.value });
  });
  return {
    records: (topic) => [...(seen.get(topic) ?? [])],
    async stop() {
      await stream.close();
      await consumer.close(true);
    },
  };
}
