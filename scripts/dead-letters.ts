/**
 * Dead letters as `npm run dlq` shows and redrives them. Dapr sends an event
 * whose retries ran out to the subscription's dead-letter topic unchanged: the
 * same CloudEvent bytes and the same metadata (Kafka headers), and nothing more —
 * it records no reason (daprd pkg/runtime/subscription sendToDeadLetter). So a
 * dead letter shows where it died (its dead-letter topic, hence its subscription),
 * when, and its headers; the reason is in the consumer's and daprd's logs
 * around that time.
 *
 * Redriving produces the very bytes again to the original topic, keyed by the
 * CloudEvent's partition key: the same id, so the idempotent consumers act at
 * most once however often a letter is redriven.
 */
import { randomUUID } from "node:crypto";
import { Consumer, MessagesStreamModes, ProduceAcks, Producer, stringDeserializers, stringSerializers } from "@platformatic/kafka";

/** Dead-letter topic → the topic its events came from. */
export const DEAD_LETTER_TOPICS: Record<string, string> = { "tasks-dlq": "tasks", "reminders-dlq": "reminders" };

export interface DeadLetter {
  topic: string;
  partition: number;
  offset: string;
  /** The Kafka message key (Dapr sets the partition key there). */
  key?: string;
  /** When the broker took it: when Dapr gave up on it. */
  timestamp: string;
  headers: Record<string, string>;
  /** The CloudEvent as it was published (undefined when the value is not JSON). */
  cloudEvent?: { id?: string; type?: string; subject?: string; partitionkey?: string; [key: string]: unknown };
  value: string;
}

/** Every record of the dead-letter topics (or of `topics`), read from the start without committing anything. */
export async function readDeadLetters(brokers: string, topics = Object.keys(DEAD_LETTER_TOPICS)): Promise<DeadLetter[]> {
  const consumer = new Consumer({
    clientId: "taskfn-dlq",
    groupId: `taskfn-dlq-${randomUUID()}`,
    bootstrapBrokers: brokers.split(","),
    deserializers: stringDeserializers,
    maxWaitTime: 200,
  });
  try {
    const ends = await consumer.listOffsets({ topics });
    const remaining = new Map<string, bigint>();
    for (const [topic, offsets] of ends) offsets.forEach((end, partition) => end > 0n && remaining.set(`${topic}/${partition}`, end));
    if (remaining.size === 0) return [];
    const letters: DeadLetter[] = [];
    const stream = await consumer.consume({ topics, mode: MessagesStreamModes.EARLIEST, autocommit: false });
    await new Promise<void>((resolve, reject) => {
      stream.on("error", reject);
      stream.on("data", (message) => {
        let cloudEvent: DeadLetter["cloudEvent"];
        try {
          cloudEvent = JSON.parse(message.value) as DeadLetter["cloudEvent"];
        } catch {
          cloudEvent = undefined;
        }
        letters.push({
          topic: message.topic,
          partition: message.partition,
          offset: String(message.offset),
          key: message.key || undefined,
          timestamp: new Date(Number(message.timestamp)).toISOString(),
          headers: Object.fromEntries(message.headers),
          cloudEvent,
          value: message.value,
        });
        const key = `${message.topic}/${message.partition}`;
        if (message.offset + 1n >= (remaining.get(key) ?? 0n)) remaining.delete(key);
        if (remaining.size === 0) resolve();
      });
    });
    await stream.close();
    return letters;
  } finally {
    await consumer.close(true);
  }
}

/** Produces each letter's original bytes to the topic it came from, keyed by its partition key. */
export async function redrive(brokers: string, letters: readonly DeadLetter[]): Promise<void> {
  const producer = new Producer({ clientId: "taskfn-dlq", bootstrapBrokers: brokers.split(","), serializers: stringSerializers, acks: ProduceAcks.ALL });
  try {
    await producer.send({
      messages: letters.map((letter) => ({
        topic: DEAD_LETTER_TOPICS[letter.topic] ?? letter.topic.replace(/-dlq$/, ""),
        key: letter.cloudEvent?.partitionkey,
        value: letter.value,
        headers: letter.headers,
      })),
    });
  } finally {
    await producer.close();
  }
}
