import { Hono } from "hono";
import { afterEach, describe, expect, it } from "vitest";
import type { SidecarApp } from "./app-channel.js";
import type { Broker, Message } from "./broker.js";
import type { Component } from "./components.js";
import { createSidecarApp, type SidecarDeps } from "./server.js";
import { toSubscription } from "./subscriptions.js";
import { listen, type Listening } from "../../toolkit/listen.js";
import { fastResiliency, silentLog } from "./test-support.js";

const PUBSUB: Component = { name: "pubsub", type: "pubsub.kafka", version: "v1", metadata: {}, scopes: [] };
const webhook = (url: string): Component => ({ name: "webhook", type: "bindings.http", version: "v1", metadata: { url }, scopes: ["send-reminder"] });
const APPS: SidecarApp[] = [
  { appId: "create-task", port: 1, daprApiToken: "create-token", appApiToken: "create-app-token" },
  { appId: "send-reminder", port: 2, daprApiToken: "send-token", appApiToken: "send-app-token" },
];

function recordingBroker(accept = true): Broker & { published: Message[] } {
  const published: Message[] = [];
  const subscriptions = [toSubscription("send-reminder", { pubsubname: "pubsub", topic: "reminders", route: "/events", deadLetterTopic: "reminders-dlq" })];
  return {
    published,
    addSubscriptions: () => {},
    subscriptions: () => subscriptions,
    publish: (m) => accept && published.push(m) > 0,
    pending: () => published.length,
  };
}

function sidecar(overrides: Partial<SidecarDeps> = {}) {
  const broker = recordingBroker();
  const app = createSidecarApp({
    apps: APPS,
    components: [PUBSUB],
    broker,
    resiliency: fastResiliency(1, "1ms"),
    subscribed: Promise.resolve(),
    log: silentLog,
    ...overrides,
  });
  return { app, broker };
}

const errorCode = async (res: Response) => ((await res.json()) as { errorCode: string }).errorCode;
const as = (token: string, headers: Record<string, string> = {}) => ({ "dapr-api-token": token, ...headers });

let servers: Listening[] = [];
afterEach(async () => {
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
});

describe("dapr-api-token", () => {
  it("refuses a caller without a known token with Dapr's plain 401, except on the health endpoints", async () => {
    const { app } = sidecar();
    for (const headers of [{}, as("wrong"), as("create-token-")]) {
      const res = await app.request("/v1.0/metadata", { headers });
      expect([res.status, await res.text()]).toEqual([401, "invalid api token"]);
    }
    expect((await app.request("/v1.0/healthz")).status).toBe(204);
    expect((await app.request("/v1.0/healthz/outbound")).status).toBe(204);
    expect((await app.request("/v1.0/metadata", { headers: as("create-token") })).status).toBe(200);
  });

  it("is not required when no app has a token", async () => {
    const { app } = sidecar({ apps: APPS.map(({ appId, port }) => ({ appId, port })) });
    const res = await app.request("/v1.0/metadata");
    expect(await res.json()).toMatchObject({ id: "dapr-stand-in", components: [{ name: "pubsub", type: "pubsub.kafka", version: "v1" }] });
  });
});

describe("GET /v1.0/metadata", () => {
  it("answers as the caller's own sidecar: its id, the components in its scope, its subscriptions", async () => {
    const { app } = sidecar({ components: [PUBSUB, webhook("http://127.0.0.1:1/")] });
    const forCreate = await (await app.request("/v1.0/metadata", { headers: as("create-token") })).json();
    const forSend = await (await app.request("/v1.0/metadata", { headers: as("send-token") })).json();
    expect(forCreate).toMatchObject({ id: "create-task", components: [{ name: "pubsub" }], subscriptions: [] });
    expect(forSend).toMatchObject({
      id: "send-reminder",
      components: [{ name: "pubsub" }, { name: "webhook", type: "bindings.http" }],
      subscriptions: [{ pubsubname: "pubsub", topic: "reminders", rules: [{ match: "", path: "/events" }], deadLetterTopic: "reminders-dlq" }],
    });
  });
});

describe("POST /v1.0/publish", () => {
  const cloudEvent = { specversion: "1.0", id: "ev-1", type: "task.created", source: "/taskfn/createTask", subject: "t-1", data: { title: "x" } };

  it("keeps a structured CloudEvent as sent, adds Dapr's fields, and honours metadata.partitionKey", async () => {
    const { app, broker } = sidecar();
    const res = await app.request("/v1.0/publish/pubsub/tasks?metadata.partitionKey=alice", {
      method: "POST",
      headers: as("create-token", { "content-type": "application/cloudevents+json" }),
      body: JSON.stringify(cloudEvent),
    });
    expect(res.status).toBe(204);
    expect(broker.published).toHaveLength(1);
    expect(broker.published[0]).toMatchObject({
      pubsub: "pubsub",
      topic: "tasks",
      partitionKey: "alice",
      envelope: { ...cloudEvent, topic: "tasks", pubsubname: "pubsub" },
    });
    expect(broker.published[0]!.envelope.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
  });

  it("as Dapr 1.18: keeps the event's traceparent and tracestate only when it also has traceid, else writes a child of the request's traceparent header", async () => {
    const { app, broker } = sidecar();
    const publish = (event: object, headers: Record<string, string> = {}) =>
      app.request("/v1.0/publish/pubsub/tasks", {
        method: "POST",
        headers: as("create-token", { "content-type": "application/cloudevents+json", ...headers }),
        body: JSON.stringify(event),
      });
    const ours = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
    await publish({ ...cloudEvent, traceparent: ours, traceid: ours, tracestate: "v=1" });
    await publish({ ...cloudEvent, traceparent: ours }, { traceparent: ours });
    const [kept, replaced] = broker.published.map((m) => m.envelope);
    expect(kept).toMatchObject({ traceparent: ours, traceid: ours, tracestate: "v=1" });
    expect(replaced!.traceparent).toMatch(/^00-0af7651916cd43dd8448eb211c80319c-[0-9a-f]{16}-01$/);
    expect(replaced!.traceparent).not.toBe(ours);
    expect(replaced!.traceid).toBe(replaced!.traceparent);
  });

  it("wraps any other body in a Dapr envelope from the publishing app", async () => {
    const { app, broker } = sidecar();
    await app.request("/v1.0/publish/pubsub/orders", { method: "POST", headers: as("create-token", { "content-type": "application/json" }), body: '{"n":1}' });
    await app.request("/v1.0/publish/pubsub/orders", { method: "POST", headers: as("create-token", { "content-type": "text/plain" }), body: "hello" });
    expect(broker.published.map((m) => m.envelope)).toMatchObject([
      {
        specversion: "1.0",
        type: "com.dapr.event.sent",
        source: "create-task",
        datacontenttype: "application/json",
        topic: "orders",
        pubsubname: "pubsub",
        data: { n: 1 },
      },
      { type: "com.dapr.event.sent", datacontenttype: "text/plain", data: "hello" },
    ]);
    expect(broker.published[0]!.envelope.id).not.toEqual(broker.published[1]!.envelope.id);
    expect(broker.published[0]!.partitionKey).toBeUndefined();
  });

  it("answers 404 for a pubsub it does not have and 400 for a CloudEvent that is not JSON", async () => {
    const { app, broker } = sidecar();
    const missing = await app.request("/v1.0/publish/other/tasks", { method: "POST", headers: as("create-token"), body: "{}" });
    expect([missing.status, await errorCode(missing)]).toEqual([404, "ERR_PUBSUB_NOT_FOUND"]);
    const broken = await app.request("/v1.0/publish/pubsub/tasks", {
      method: "POST",
      headers: as("create-token", { "content-type": "application/cloudevents+json" }),
      body: "{nope",
    });
    expect([broken.status, await errorCode(broken)]).toEqual([400, "ERR_PUBSUB_CLOUD_EVENTS_SER"]);
    expect(broker.published).toEqual([]);
  });

  it("answers 500 when the queues stay full through the outbound retries", async () => {
    const { app } = sidecar({ broker: recordingBroker(false) });
    const res = await app.request("/v1.0/publish/pubsub/tasks", {
      method: "POST",
      headers: as("create-token", { "content-type": "application/json" }),
      body: "{}",
    });
    expect([res.status, await errorCode(res)]).toEqual([500, "ERR_PUBSUB_PUBLISH_MESSAGE"]);
  });

  it("holds a publish until every app's subscriptions are known", async () => {
    let subscribe!: () => void;
    const { app, broker } = sidecar({ subscribed: new Promise<void>((resolve) => (subscribe = resolve)) });
    const publishing = app.request("/v1.0/publish/pubsub/tasks", {
      method: "POST",
      headers: as("create-token", { "content-type": "application/json" }),
      body: "{}",
    });
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(broker.published).toEqual([]);
    subscribe();
    expect((await publishing).status).toBe(204);
    expect(broker.published).toHaveLength(1);
  });
});

describe("POST /v1.0/bindings (bindings.http)", () => {
  async function webhookTarget(status = 200) {
    const received: { method: string; path: string; body: string; headers: Record<string, string> }[] = [];
    const server = await listen(
      new Hono().all("*", async (c) => {
        received.push({ method: c.req.method, path: c.req.path, body: await c.req.text(), headers: Object.fromEntries(c.req.raw.headers) });
        return c.json({ ok: status < 300 }, status as 200);
      }),
    );
    servers.push(server);
    return { received, url: `http://127.0.0.1:${server.port}/hooks` };
  }

  it("sends data as JSON to the component's url, with capitalised metadata as headers", async () => {
    const target = await webhookTarget();
    const { app } = sidecar({ components: [PUBSUB, webhook(target.url)] });
    const res = await app.request("/v1.0/bindings/webhook", {
      method: "POST",
      headers: as("send-token", { "content-type": "application/json" }),
      body: JSON.stringify({ operation: "post", data: { taskId: "t-1" }, metadata: { "X-Reminder": "yes", path: "reminders", lower: "not a header" } }),
    });
    expect([res.status, await res.json()]).toEqual([200, { ok: true }]);
    expect(res.headers.get("metadata.statusCode")).toBe("200");
    expect(target.received).toEqual([expect.objectContaining({ method: "POST", path: "/hooks/reminders", body: '{"taskId":"t-1"}' })]);
    expect(target.received[0]!.headers).toMatchObject({ "content-type": "application/json; charset=utf-8", "x-reminder": "yes" });
    expect(target.received[0]!.headers.lower).toBeUndefined();
  });

  it("answers 500 when the target answers non-2xx, the binding is unknown, or out of the caller's scope", async () => {
    const target = await webhookTarget(503);
    const { app } = sidecar({ components: [PUBSUB, webhook(target.url)] });
    const call = (name: string, token: string) =>
      app.request(`/v1.0/bindings/${name}`, { method: "POST", headers: as(token), body: JSON.stringify({ operation: "create", data: {} }) });
    for (const res of [await call("webhook", "send-token"), await call("missing", "send-token"), await call("webhook", "create-token")]) {
      expect([res.status, await errorCode(res)]).toEqual([500, "ERR_INVOKE_OUTPUT_BINDING"]);
    }
    expect(target.received).toHaveLength(1);
  });

  it("answers 400 for a body that is not a binding request", async () => {
    const { app } = sidecar();
    const res = await app.request("/v1.0/bindings/webhook", { method: "POST", headers: as("send-token"), body: "[]" });
    expect(res.status).toBe(400);
  });
});

describe("/v1.0/invoke (service invocation)", () => {
  it("forwards method, path, query, headers and body to the app, with the callee's token in place of the caller's", async () => {
    const seen: Record<string, unknown>[] = [];
    const target = await listen(
      new Hono().patch("/things/:id", async (c) => {
        seen.push({ id: c.req.param("id"), q: c.req.query("q"), body: await c.req.text(), headers: Object.fromEntries(c.req.raw.headers) });
        return c.json({ done: true }, 202, { "x-answer": "42" });
      }),
    );
    servers.push(target);
    const apps = [APPS[0]!, { ...APPS[1]!, port: target.port }];
    const { app } = sidecar({ apps });
    const res = await app.request("/v1.0/invoke/send-reminder/method/things/7?q=x", {
      method: "PATCH",
      headers: as("create-token", { "x-custom": "kept" }),
      body: "payload",
    });
    expect([res.status, res.headers.get("x-answer"), await res.json()]).toEqual([202, "42", { done: true }]);
    expect(seen[0]).toMatchObject({
      id: "7",
      q: "x",
      body: "payload",
      headers: { "x-custom": "kept", "dapr-api-token": "send-app-token", "dapr-caller-app-id": "create-task", "dapr-callee-app-id": "send-reminder" },
    });
  });

  it("answers 500 ERR_DIRECT_INVOKE for an unknown app or one that is down", async () => {
    const { app } = sidecar();
    for (const id of ["nobody", "send-reminder"]) {
      const res = await app.request(`/v1.0/invoke/${id}/method/x`, { headers: as("create-token") });
      expect([res.status, await errorCode(res)]).toEqual([500, "ERR_DIRECT_INVOKE"]);
    }
  });
});
