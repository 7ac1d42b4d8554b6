/**
 * What is on a Kafka topic right now, read after the fact: the end offset of
 * every partition, then every record up to it, in a throwaway consumer group
 * that never commits (the sidecars' groups are left alone).
 */
import { randomUUID } from "node:crypto";
import { Admin, Consumer, MessagesStreamModes, stringDeserializers } from "@platformatic/kafka";
import { waitFor } from "../../toolkit/net.js";

export interface TopicRecord {
  partition: number;
  offset: number;
  key: string;
  /** The structured CloudEvent as published. */
  event: { id: string; type: string; subject?: string; data?: unknown } & Record<string, unknown>;
}

const READ_TIMEOUT_MS = 120_000;

async function endOffsets(brokers: string, topic: string): Promise<number> {
  const admin = new Admin({ clientId: "taskfn-faults", bootstrapBrokers: brokers.split(","), retries: 5 });
  try {
    const metadata = await admin.metadata({ topics: [topic], forceUpdate: true });
    const count = metadata.topics.get(topic)?.partitionsCount ?? 0;
    const partitions = Array.from({ length: count }, (_, partitionIndex) => ({ partitionIndex, timestamp: -1n }));
    const listed = await admin.listOffsets({ topics: [{ name: topic, partitions }] });
    return listed.flatMap((t) => t.partitions).reduce((sum, p) => sum + Number(p.offset), 0);
  } finally {
    await admin.close();
  }
}

/** Every record on `topic` (no retention deletes here, so offsets start at 0). */
export async function readTopic(brokers: string, topic: string): Promise<TopicRecord[]> {
  const expected = await endOffsets(brokers, topic);
  if (expected === 0) return [];
  const consumer = new Consumer({
    clientId: "taskfn-faults",
    groupId: `taskfn-faults-${randomUUID()}`,
    bootstrapBrokers: brokers.split(","),
    deserializers: stringDeserializers,
    maxWaitTime: 200,
  });
  const records: TopicRecord[] = [];
  try {
    const stream = await consumer.consume({ topics: [topic], mode: MessagesStreamModes.EARLIEST, autocommit: false });
    stream.on("data", (message) => {
      records.push({
        partition: message.partition,
        offset: Number(message.offset),
        key: message.key,
        event: JSON.parse(message.value) as TopicRecord["event"],
      });
    });
    await waitFor(`${expected} records on ${topic}`, READ_TIMEOUT_MS, async () => (records.length >= expected ? true : undefined), {
      intervalMs: 200,
      describe: () => `; read ${records.length}`,
    });
    await stream.close();
  } finally {
    await consumer.close(true);
  }
  return records;
}

/** How many times each CloudEvent id is on the records. */
export function copiesById(records: readonly TopicRecord[]): Map<string, number> {
  const copies = new Map<string, number>();
  for (const record of records) copies.set(record.event.id, (copies.get(record.event.id) ?? 0) + 1);
  return copies;
}
