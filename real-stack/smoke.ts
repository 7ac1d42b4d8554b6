// Smoke test of the real runtime pieces: Kafka broker + daprd sidecar + a
// plain node:http app. Run: `npx tsx real-stack/smoke.ts` (add --verbose to stream
// the Kafka/daprd logs). Exits non-zero on any failure; every wait is bounded.
import { randomUUID } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Consumer, stringDeserializers } from "@platformatic/kafka";
import { stringify } from "yaml";
import { startDaprd } from "../toolkit/daprd.js";
import { startKafka } from "../toolkit/kafka.js";
import { freePort, waitFor } from "../toolkit/net.js";
import { provisionDaprd, provisionKafka } from "./provision.js";

const verbose = process.argv.includes("--verbose");
const recent: string[] = [];
const logger = (prefix: string) => (line: string) => {
  recent.push(`${prefix} ${line}`);
  if (recent.length > 80) recent.shift();
  if (verbose) console.log(`${prefix} ${line}`);
};
const step = (msg: string) => console.log(`[smoke] ${msg}`);
const cleanups: (() => Promise<void> | void)[] = [];

async function main(): Promise<void> {
  const t0 = Date.now();
  step("provisioning daprd and Kafka…");
  await Promise.all([provisionDaprd(), provisionKafka()]);

  const tmp = mkdtempSync(join(tmpdir(), "taskfn-smoke-"));
  cleanups.push(() => rmSync(tmp, { recursive: true, force: true }));

  step("starting Kafka…");
  const kafka = await startKafka({
    dataDir: join(tmp, "kafka"),
    topics: [
      { name: "tasks", partitions: 6 },
      { name: "reminders", partitions: 3 },
    ],
    log: logger("[kafka]"),
  });
  cleanups.push(() => kafka.stop());
  step(`Kafka up at ${kafka.brokers} (${Date.now() - t0} ms)`);

  const appId = "smoke-app";
  const components = join(tmp, "components");
  writeComponent(components, kafka.brokers, appId);

  // The app: one programmatic subscription, and a record of what it receives.
  const received: Record<string, unknown>[] = [];
  const appPort = await freePort();
  const app = createServer(async (req, res) => {
    if (req.method === "GET" && req.url === "/dapr/subscribe") {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify([{ pubsubname: "pubsub", topic: "tasks", route: "/events" }]));
    } else if (req.method === "POST" && req.url === "/events") {
      received.push(JSON.parse(await body(req)) as Record<string, unknown>);
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ status: "SUCCESS" }));
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => app.listen(appPort, "127.0.0.1", resolve));
  cleanups.push(() => new Promise<void>((resolve) => app.close(() => resolve())));

  step("starting daprd…");
  const t1 = Date.now();
  const daprd = await startDaprd({
    appId,
    appPort,
    httpPort: await freePort(),
    grpcPort: await freePort(),
    resourcesPath: components,
    log: logger("[daprd]"),
  });
  cleanups.push(() => daprd.stop());
  step(`daprd ready on :${daprd.httpPort} (${Date.now() - t1} ms)`);

  const event = {
    specversion: "1.0",
    id: `smoke-${randomUUID()}`,
    type: "taskfn.smoke.v1",
    source: "taskfn/real-stack/smoke",
    datacontenttype: "application/json",
    data: { hello: "kafka" },
  };
  const res = await fetch(`http://127.0.0.1:${daprd.httpPort}/v1.0/publish/pubsub/tasks?metadata.partitionKey=user-1`, {
    method: "POST",
    headers: { "content-type": "application/cloudevents+json" },
    body: JSON.stringify(event),
    signal: AbortSignal.timeout(10_000),
  });
  if (res.status !== 204) throw new Error(`publish answered ${res.status}: ${await res.text()}`);
  step(`published ${event.id}`);

  const got = await waitFor("app to receive the event", 30_000, async () => (received.length ? received[0] : undefined));
  assert(got.id === event.id, `app got id ${String(got.id)}, expected ${event.id}`);
  assert(got.type === event.type, `app got type ${String(got.type)}, expected ${event.type}`);
  step(`app received id=${String(got.id)} type=${String(got.type)} (${received.length} delivery)`);

  const records = await readTopic(kafka.brokers, "tasks", 1);
  const [record] = records;
  assert(records.length === 1 && record !== undefined, `topic tasks holds ${records.length} messages, expected 1`);
  assert(record.key === "user-1", `Kafka key is ${record.key}, expected user-1`);
  step(`Kafka topic tasks: 1 message, key=${record.key}, partition=${record.partition}`);
  step(`PASS in ${((Date.now() - t0) / 1000).toFixed(1)}s`);
}

function writeComponent(dir: string, brokers: string, consumerGroup: string): void {
  const component = {
    apiVersion: "dapr.io/v1alpha1",
    kind: "Component",
    metadata: { name: "pubsub" },
    spec: {
      type: "pubsub.kafka",
      version: "v1",
      metadata: [
        { name: "brokers", value: brokers },
        { name: "authType", value: "none" },
        { name: "consumerGroup", value: consumerGroup },
        // sarama's protocol baseline (default 2.0.0) must be raised for Kafka 4.
        { name: "version", value: "4.0.0" },
        { name: "initialOffset", value: "oldest" },
      ],
    },
  };
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "pubsub.yaml"), stringify(component));
}

/** Reads `topic` from the beginning with a throwaway group until `expected` records arrive, then 1 s more. */
async function readTopic(brokers: string, topic: string, expected: number): Promise<{ key: string; partition: number }[]> {
  const consumer = new Consumer({
    clientId: "taskfn-smoke",
    groupId: `smoke-reader-${randomUUID()}`,
    bootstrapBrokers: [brokers],
    deserializers: stringDeserializers,
    maxWaitTime: 500,
  });
  const out: { key: string; partition: number }[] = [];
  try {
    const stream = await consumer.consume({ topics: [topic], mode: "earliest", autocommit: false });
    stream.on("data", (m) => out.push({ key: m.key, partition: m.partition }));
    await waitFor(`${expected} record(s) on ${topic}`, 20_000, async () => (out.length >= expected ? true : undefined));
    await new Promise((r) => setTimeout(r, 1000)); // catch unexpected extra records
    await stream.close();
  } finally {
    await consumer.close(true);
  }
  return out;
}

function body(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function assert(cond: boolean, msg: string): asserts cond {
  if (!cond) throw new Error(`assertion failed: ${msg}`);
}

async function cleanup(): Promise<void> {
  for (const fn of cleanups.reverse()) {
    try {
      await fn();
    } catch (err) {
      console.error(`[smoke] cleanup: ${(err as Error).message}`);
    }
  }
}

main().then(
  async () => {
    await cleanup();
    process.exit(0);
  },
  async (err: Error) => {
    console.error(`[smoke] FAIL: ${err.stack ?? err.message}`);
    if (!verbose && recent.length) console.error(`--- recent Kafka/daprd log lines ---\n${recent.join("\n")}`);
    await cleanup();
    process.exit(1);
  },
);
