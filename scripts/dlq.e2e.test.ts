/**
 * `npm run dlq` against a real Kafka: dead letters as Dapr leaves them in
 * tasks-dlq (the event's bytes and headers, nothing more) are listed with their
 * CloudEvent attributes, and redriven to `tasks` with the same bytes, keyed by
 * their partition key, once each.
 */
import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { ProduceAcks, Producer, stringSerializers } from "@platformatic/kafka";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startKafka, type RunningKafka } from "../toolkit/kafka.js";
import { TASKFN_TOPICS } from "../toolkit/topics.js";
import { readDeadLetters, redrive } from "./dead-letters.js";

let kafka: RunningKafka;
let dataDir: string;

const cloudEvent = (id: string, user: string) => ({
  specversion: "1.0",
  id,
  type: "task.completed",
  source: "/taskfn/completeTask",
  subject: `task-${id}`,
  partitionkey: user,
  datacontenttype: "application/json",
  data: { id },
});

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "taskfn-dlq-kafka-"));
  kafka = await startKafka({ dataDir, topics: TASKFN_TOPICS });
  const producer = new Producer({ clientId: "taskfn-dlq-test", bootstrapBrokers: [kafka.brokers], serializers: stringSerializers, acks: ProduceAcks.ALL });
  // What daprd's sendToDeadLetter publishes: the delivered message's data and metadata.
  await producer.send({
    messages: [
      { topic: "tasks-dlq", value: JSON.stringify(cloudEvent("dead-1", "alice")), headers: { traceparent: "00-1-2-01" } },
      { topic: "tasks-dlq", value: JSON.stringify(cloudEvent("dead-2", "bob")) },
      { topic: "reminders-dlq", value: "not json at all" },
    ],
  });
  await producer.close();
});
afterAll(async () => {
  await kafka?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

describe("npm run dlq", () => {
  it("lists every dead letter with its id, type, key, where and when it died, and its headers", async () => {
    const letters = await readDeadLetters(kafka.brokers);
    expect(letters.map((l) => [l.topic, l.cloudEvent?.id])).toEqual(
      expect.arrayContaining([
        ["tasks-dlq", "dead-1"],
        ["tasks-dlq", "dead-2"],
        ["reminders-dlq", undefined],
      ]),
    );
    expect(letters.find((l) => l.cloudEvent?.id === "dead-1")).toMatchObject({
      headers: { traceparent: "00-1-2-01" },
      cloudEvent: { type: "task.completed", partitionkey: "alice" },
    });

    const { stdout } = await promisify(execFile)(process.execPath, ["--import", "tsx", "scripts/dlq.ts", "list"], {
      env: { ...process.env, KAFKA_BROKERS: kafka.brokers, DATABASE_URL: "" },
    });
    expect(stdout).toMatch(/3 dead letters/);
    expect(stdout).toMatch(/dead-1 {2}task\.completed {2}key=alice/);
    expect(stdout).toMatch(/died in tasks-dlq/);
  });

  it("redrives a chosen letter to its original topic with the same CloudEvent, keyed by its partition key", async () => {
    const letters = await readDeadLetters(kafka.brokers);
    await redrive(
      kafka.brokers,
      letters.filter((l) => l.cloudEvent?.id === "dead-1"),
    );
    const [record] = await readDeadLetters(kafka.brokers, ["tasks"]);
    expect(record).toMatchObject({ topic: "tasks", key: "alice" });
    expect(JSON.parse(record!.value)).toEqual(cloudEvent("dead-1", "alice"));
  });

  it("redrives --all through the CLI, each id once", async () => {
    await promisify(execFile)(process.execPath, ["--import", "tsx", "scripts/dlq.ts", "redrive", "--all"], {
      env: { ...process.env, KAFKA_BROKERS: kafka.brokers },
    });
    const records = await readDeadLetters(kafka.brokers, ["tasks"]);
    expect(records.map((r) => [r.cloudEvent?.id, r.key]).sort()).toEqual([
      ["dead-1", "alice"],
      ["dead-1", "alice"],
      ["dead-2", "bob"],
    ]);
  });
});
