/**
 * The listener every function is served by: Dapr's event route and the probes
 * answered on node:http, everything else by the function's Hono app. The event →
 * status mapping itself is in topic-trigger.test.ts; here, what only this does.
 */
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { onTaskCompleted } from "../functions/on-task-completed/definition.js";
import { taskJson } from "../test/events.js";
import { serveForTest } from "../test/runtime.js";
import { buildCloudEvent } from "./cloud-event.js";
import { createFunctionListener } from "./node-listener.js";
import { MAX_EVENT_BYTES, subscriberPath } from "./topic-trigger.js";
import { contextOnlyTracer } from "./tracing.js";
import type { Database } from "./database.js";
import type { EventHandler, TopicTrigger } from "./types.js";
import type { UnitOfWork } from "./unit-of-work.js";

const PATH = subscriberPath(onTaskCompleted.trigger);
const TOKEN = "app-api-token";

/** What the database answers the readiness check. */
let databaseUp = true;

function serve(handler: EventHandler<TopicTrigger> = async () => {}) {
  let runs = 0;
  const uow: UnitOfWork = {
    run: () => Promise.reject(new Error("not used")),
    async runOnce(_consumer, _eventId, _trace, work) {
      runs++;
      await work({} as never, () => {});
      return "processed";
    },
  };
  // Only /readyz touches the database, and nothing here the Dapr client.
  const db = { query: async () => (databaseUp ? [] : Promise.reject(new Error("connection refused"))) } as unknown as Database;
  const runtime = { uow, log: pino({ level: "silent" }), tracer: contextOnlyTracer, db, dapr: {} as never };
  const app = serveForTest(createFunctionListener(onTaskCompleted, handler, runtime, { appApiToken: TOKEN }));
  return { app, runs: () => runs };
}

const post = (app: ReturnType<typeof serve>["app"], body: string, headers: Record<string, string> = { "dapr-api-token": TOKEN }, path = PATH) =>
  app.request(path, { method: "POST", body, headers: { "content-type": "application/cloudevents+json", ...headers } });

/** A task.completed event whose data fails the schema: dropped before the handler, so no task is needed. */
const poison = JSON.stringify(buildCloudEvent({ topic: "tasks", type: "task.completed", subject: "s", partitionKey: "k", data: { id: 1 } }, "/test"));

describe("createFunctionListener", () => {
  it("answers Dapr's event POST with the delivery's status, as JSON, status code 200", async () => {
    const { app } = serve();
    const res = await post(app, poison);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/json");
    expect(await res.text()).toBe('{"status":"DROP"}');
  });

  it("refuses an event without the right dapr-api-token with 401 problem+json, delivering nothing", async () => {
    const { app, runs } = serve();
    for (const headers of [{}, { "dapr-api-token": "wrong-token" }] as Record<string, string>[]) {
      const res = await post(app, poison, headers);
      expect(res.status).toBe(401);
      expect(res.headers.get("content-type")).toBe("application/problem+json");
      expect(await res.json()).toMatchObject({ status: 401, detail: expect.stringMatching(/dapr-api-token/) });
    }
    expect(runs()).toBe(0);
  });

  it("drops a body over Dapr's request size limit without running the handler", async () => {
    const { app, runs } = serve();
    const res = await post(app, JSON.stringify({ pad: "x".repeat(MAX_EVENT_BYTES) }));
    expect(await res.json()).toEqual({ status: "DROP" });
    expect(runs()).toBe(0);
  });

  it("answers RETRY, never SUCCESS, when the handler fails", async () => {
    const { app } = serve(async () => {
      throw new Error("unexpected");
    });
    const valid = buildCloudEvent(
      { topic: "tasks", type: "task.completed", subject: "s", partitionKey: "k", data: taskJson({ completed: true, completedAt: new Date().toISOString() }) },
      "/test",
    );
    expect(await (await post(app, JSON.stringify(valid))).json()).toEqual({ status: "RETRY" });
  });

  it("leaves every other route and method to the Hono app", async () => {
    const { app } = serve();
    expect(await (await app.request("/healthz")).json()).toEqual({ status: "ok" });
    expect(await (await post(app, "{}", { "dapr-api-token": TOKEN }, "/events/other")).json()).toEqual({ status: "SUCCESS" });
    expect((await app.request(PATH, { headers: { "dapr-api-token": TOKEN } })).status).toBe(405);
    expect((await app.request("/healthz", { method: "DELETE" })).status).toBe(405);
    expect((await app.request("/dapr/subscribe")).status).toBe(401);
  });
});

describe("createFunctionListener: the probes", () => {
  it("answers GET /healthz and a passing GET /readyz itself, with the app's bodies", async () => {
    const { app } = serve();
    for (const [path, body] of [
      ["/healthz", { status: "ok" }],
      ["/readyz", { status: "ready" }],
    ] as const) {
      const res = await app.request(path);
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toBe("application/json");
      expect(await res.json()).toEqual(body);
    }
  });

  it("leaves a failing readiness check to the app, which answers 503 problem+json", async () => {
    databaseUp = false;
    try {
      const res = await serve().app.request("/readyz");
      expect(res.status).toBe(503);
      expect(res.headers.get("content-type")).toBe("application/problem+json");
    } finally {
      databaseUp = true;
    }
  });
});
