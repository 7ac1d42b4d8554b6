import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Hono } from "hono";
import { afterEach, describe, expect, it } from "vitest";
import { onTaskCompleted } from "../functions/on-task-completed/definition.js";
import { createNodeListener } from "./node-listener.js";
import { subscriberPath, type EventDelivery } from "./topic-trigger.js";

const PATH = subscriberPath(onTaskCompleted.trigger);
const TOKEN = "app-api-token";

/** Stands in for the function's Hono app: it says that it was the one to answer. */
const app = new Hono().all("*", (c) => c.json({ answeredBy: "hono", path: c.req.path }, 401));

let server: Server | undefined;
/** What the readiness check answers. */
let ready = true;
afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

async function listen(deliver: EventDelivery): Promise<string> {
  server = createServer(createNodeListener(app, { direct: { trigger: onTaskCompleted.trigger, deliver, appApiToken: TOKEN }, ready: async () => ready }));
  await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const post = (base: string, body: string, token: string | null = TOKEN, path = PATH) =>
  fetch(`${base}${path}`, { method: "POST", body, headers: { "content-type": "application/cloudevents+json", ...(token ? { "dapr-api-token": token } : {}) } });

describe("createNodeListener: the subscriber route on node:http", () => {
  it("hands the body text to the delivery and answers Dapr with its status", async () => {
    const received: (string | undefined)[] = [];
    const base = await listen(async (text) => (received.push(text), "DROP"));
    const res = await post(base, '{"id":"e-1","note":"ünïcode"}');
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/json");
    expect(await res.json()).toEqual({ status: "DROP" });
    expect(received).toEqual(['{"id":"e-1","note":"ünïcode"}']);
  });

  it("answers RETRY, never SUCCESS, when the delivery itself fails", async () => {
    const base = await listen(() => Promise.reject(new Error("unexpected")));
    expect(await (await post(base, "{}")).json()).toEqual({ status: "RETRY" });
  });

  it("leaves a request without the right dapr-api-token to the app, which refuses it", async () => {
    let delivered = 0;
    const base = await listen(async () => (delivered++, "SUCCESS"));
    for (const token of [null, "wrong-token"]) {
      const res = await post(base, "{}", token);
      expect(res.status).toBe(401);
      expect(await res.json()).toEqual({ answeredBy: "hono", path: PATH });
    }
    expect(delivered).toBe(0);
  });

  it("leaves every other route and method to the app", async () => {
    const base = await listen(async () => "SUCCESS");
    expect(await (await fetch(`${base}/healthz`, { method: "DELETE" })).json()).toEqual({ answeredBy: "hono", path: "/healthz" });
    expect(await (await post(base, "{}", TOKEN, "/events/other")).json()).toEqual({ answeredBy: "hono", path: "/events/other" });
    expect(await (await fetch(`${base}${PATH}`, { headers: { "dapr-api-token": TOKEN } })).json()).toEqual({ answeredBy: "hono", path: PATH });
  });
});

describe("createNodeListener: the probes", () => {
  it("answers GET /healthz and a passing GET /readyz itself, as the app's routes would", async () => {
    ready = true;
    const base = await listen(async () => "SUCCESS");
    for (const [path, body] of [["/healthz", { status: "ok" }], ["/readyz", { status: "ready" }]] as const) {
      const res = await fetch(`${base}${path}`);
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toBe("application/json");
      expect(await res.json()).toEqual(body);
    }
  });

  it("leaves a failing readiness check to the app, which answers the problem", async () => {
    ready = false;
    const base = await listen(async () => "SUCCESS");
    expect(await (await fetch(`${base}/readyz`)).json()).toEqual({ answeredBy: "hono", path: "/readyz" });
    ready = true;
  });
});
