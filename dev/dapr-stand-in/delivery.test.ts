import { Hono } from "hono";
import { afterEach, describe, expect, it } from "vitest";
import type { Message } from "./broker.js";
import { classifyReply, deliverEvent, type DeliveryContext } from "./delivery.js";
import type { TargetPolicy } from "./resiliency.js";
import { toSubscription } from "./subscriptions.js";
import { listen, type Listening } from "../../toolkit/listen.js";
import { fastResiliency, resiliencyFromYaml, silentLog } from "./test-support.js";

describe("classifyReply: Dapr's subscriber reply table", () => {
  it.each([
    [200, "", "success"],
    [204, "", "success"],
    [200, '{"status":"SUCCESS"}', "success"],
    [200, "{}", "success"],
    [200, '{"status":""}', "success"],
    [200, "not json", "success"],
    [201, '{"status":42}', "success"],
    [200, '{"status":"RETRY"}', "retry"],
    [200, '{"status":"DROP"}', "drop"],
    [200, '{"status":"drop"}', "retry"],
    [200, '{"status":"LATER"}', "retry"],
    [404, '{"status":"SUCCESS"}', "drop"],
    [500, "", "retry"],
    [503, '{"status":"SUCCESS"}', "retry"],
    [400, "", "retry"],
  ])("%d %s → %s", (status, body, kind) => {
    expect(classifyReply(status, body).kind).toBe(kind);
  });

  it("logs DROP as a warning and 404 as an error, like Dapr", () => {
    expect(classifyReply(200, '{"status":"DROP"}')).toMatchObject({ level: "warn" });
    expect(classifyReply(404, "")).toMatchObject({ level: "error" });
  });
});

type Reply = { status: number; body?: string } | "hang";

interface Subscriber {
  server: Listening;
  received: { body: Record<string, unknown>; headers: Record<string, string> }[];
  /** Replies in order; the last one repeats. */
  replies: Reply[];
}

async function startSubscriber(replies: Reply[], port = 0): Promise<Subscriber> {
  const subscriber = { received: [], replies } as unknown as Subscriber;
  const app = new Hono().post("/events/task.completed", async (c) => {
    subscriber.received.push({ body: await c.req.json(), headers: Object.fromEntries(c.req.raw.headers) });
    const reply = subscriber.replies[Math.min(subscriber.received.length, subscriber.replies.length) - 1]!;
    if (reply === "hang") await new Promise((resolve) => setTimeout(resolve, 1_000));
    else return c.body(reply.body ?? "", reply.status as 200);
    return c.body(null, 200);
  });
  subscriber.server = await listen(app, port);
  return subscriber;
}

const subscription = (deadLetterTopic?: string) =>
  toSubscription("on-task-completed", {
    pubsubname: "pubsub",
    topic: "tasks",
    routes: { rules: [{ match: 'event.type == "task.completed"', path: "/events/task.completed" }] },
    ...(deadLetterTopic ? { deadLetterTopic } : {}),
  });

const message = (type = "task.completed"): Message => ({
  pubsub: "pubsub",
  topic: "tasks",
  partitionKey: "alice",
  envelope: { specversion: "1.0", id: "ev-1", type, source: "/taskfn/test", data: { id: "t-1" } },
});

let subscriber: Subscriber | undefined;
afterEach(() => subscriber?.server.close());

function context(port: number, policy: TargetPolicy = fastResiliency(2).component("pubsub", "inbound")) {
  const deadLettered: Message[] = [];
  const ctx: DeliveryContext = {
    app: { appId: "on-task-completed", port, appApiToken: "app-token" },
    policy,
    publish: (m) => (deadLettered.push(m), true),
    log: silentLog,
    appDownRetryMs: 20,
    appHealthy: () => Promise.resolve(),
    signal: new AbortController().signal,
  };
  return { ctx, deadLettered };
}

describe("deliverEvent", () => {
  it("POSTs the envelope as application/cloudevents+json with the app's token, and stops at SUCCESS", async () => {
    subscriber = await startSubscriber([{ status: 200, body: '{"status":"SUCCESS"}' }]);
    const { ctx, deadLettered } = context(subscriber.server.port);
    await deliverEvent(subscription("tasks-dlq"), message(), ctx);
    expect(subscriber.received).toHaveLength(1);
    expect(subscriber.received[0]!.body).toEqual(message().envelope);
    expect(subscriber.received[0]!.headers).toMatchObject({ "content-type": "application/cloudevents+json", "dapr-api-token": "app-token" });
    expect(deadLettered).toEqual([]);
  });

  it("acknowledges a 2xx with an empty body", async () => {
    subscriber = await startSubscriber([{ status: 204 }]);
    const { ctx, deadLettered } = context(subscriber.server.port);
    await deliverEvent(subscription("tasks-dlq"), message(), ctx);
    expect([subscriber.received.length, deadLettered.length]).toEqual([1, 0]);
  });

  it.each([
    ["RETRY", { status: 200, body: '{"status":"RETRY"}' }],
    ["an unknown status", { status: 200, body: '{"status":"LATER"}' }],
    ["a 500", { status: 500, body: "boom" }],
  ])("redelivers after %s until the app succeeds", async (_name, failure) => {
    subscriber = await startSubscriber([failure, failure, { status: 200, body: '{"status":"SUCCESS"}' }]);
    const { ctx, deadLettered } = context(subscriber.server.port);
    await deliverEvent(subscription("tasks-dlq"), message(), ctx);
    expect([subscriber.received.length, deadLettered.length]).toEqual([3, 0]);
  });

  it("dead-letters the event unchanged once the retries are used up", async () => {
    subscriber = await startSubscriber([{ status: 500 }]);
    const { ctx, deadLettered } = context(subscriber.server.port);
    await deliverEvent(subscription("tasks-dlq"), message(), ctx);
    expect(subscriber.received).toHaveLength(3); // the attempt and maxRetries=2 retries
    expect(deadLettered).toEqual([{ ...message(), topic: "tasks-dlq" }]);
  });

  it("drops an event after exhausted retries when there is no dead-letter topic", async () => {
    subscriber = await startSubscriber([{ status: 500 }]);
    const { ctx, deadLettered } = context(subscriber.server.port);
    await deliverEvent(subscription(), message(), ctx);
    expect([subscriber.received.length, deadLettered.length]).toEqual([3, 0]);
  });

  it.each([
    ["DROP", { status: 200, body: '{"status":"DROP"}' }],
    ["404", { status: 404, body: "no such route" }],
  ])("does not retry after %s, and dead-letters it as Dapr 1.18 does", async (_name, reply) => {
    subscriber = await startSubscriber([reply]);
    const { ctx, deadLettered } = context(subscriber.server.port);
    await deliverEvent(subscription("tasks-dlq"), message(), ctx);
    expect(subscriber.received).toHaveLength(1);
    expect(deadLettered.map((m) => m.topic)).toEqual(["tasks-dlq"]);
  });

  it("drops after DROP without a dead-letter topic", async () => {
    subscriber = await startSubscriber([{ status: 200, body: '{"status":"DROP"}' }]);
    const { ctx, deadLettered } = context(subscriber.server.port);
    await deliverEvent(subscription(), message(), ctx);
    expect([subscriber.received.length, deadLettered.length]).toEqual([1, 0]);
  });

  it("retries an attempt that outlives the timeout", async () => {
    subscriber = await startSubscriber(["hang", { status: 200 }]);
    const policy = resiliencyFromYaml(`
spec:
  policies: { timeouts: { short: 100ms }, retries: { once: { policy: constant, duration: 10ms, maxRetries: 1 } } }
  targets: { components: { pubsub: { inbound: { timeout: short, retry: once } } } }
`).component("pubsub", "inbound");
    const { ctx, deadLettered } = context(subscriber.server.port, policy);
    await deliverEvent(subscription("tasks-dlq"), message(), ctx);
    expect([subscriber.received.length, deadLettered.length]).toEqual([2, 0]);
  });

  it("does not deliver an event no rule matches; Dapr 1.18 sends it to the dead-letter topic", async () => {
    subscriber = await startSubscriber([{ status: 200 }]);
    const withDlq = context(subscriber.server.port);
    await deliverEvent(subscription("tasks-dlq"), message("task.created"), withDlq.ctx);
    const withoutDlq = context(subscriber.server.port);
    await deliverEvent(subscription(), message("task.created"), withoutDlq.ctx);
    expect(subscriber.received).toEqual([]);
    expect(withDlq.deadLettered.map((m) => m.topic)).toEqual(["tasks-dlq"]);
    expect(withoutDlq.deadLettered).toEqual([]);
  });

  it("holds the event while the app is not listening, without using up its retries", async () => {
    const reserved = await listen(new Hono());
    const port = reserved.port;
    await reserved.close();
    const { ctx, deadLettered } = context(port, fastResiliency(0).component("pubsub", "inbound"));
    const delivering = deliverEvent(subscription("tasks-dlq"), message(), ctx);
    await new Promise((resolve) => setTimeout(resolve, 150));
    subscriber = await startSubscriber([{ status: 200 }], port);
    await delivering;
    expect([subscriber.received.length, deadLettered.length]).toEqual([1, 0]);
  });

  it("gives up waiting when the stand-in stops", async () => {
    const reserved = await listen(new Hono());
    await reserved.close();
    const stopping = new AbortController();
    const { ctx, deadLettered } = context(reserved.port);
    const delivering = deliverEvent(subscription("tasks-dlq"), message(), { ...ctx, signal: stopping.signal });
    stopping.abort();
    await delivering;
    expect(deadLettered).toEqual([]);
  });
});
