import { join } from "node:path";
import { Hono } from "hono";
import { afterEach, describe, expect, it } from "vitest";
import { DAPR_DIR } from "../../toolkit/paths.js";
import { startSidecar, type RunningSidecar } from "./sidecar.js";
import { listen, type Listening } from "../../toolkit/listen.js";
import { eventually, fastResiliency, silentLog } from "./test-support.js";

let running: { sidecar?: RunningSidecar; servers: Listening[] } = { servers: [] };
afterEach(async () => {
  await running.sidecar?.stop();
  await Promise.all(running.servers.map((s) => s.close()));
  running = { servers: [] };
});

/** A subscriber with one routing rule and no default route, recording what reaches it. */
function onTaskCompletedApp(received: Record<string, unknown>[]) {
  const subscription = {
    pubsubname: "pubsub",
    topic: "tasks",
    routes: { rules: [{ match: 'event.type == "task.completed"', path: "/events/task.completed" }] },
    deadLetterTopic: "tasks-dlq",
  };
  return new Hono()
    .get("/dapr/subscribe", (c) => c.json([subscription]))
    .post("/events/task.completed", async (c) => {
      received.push(await c.req.json());
      return c.json({ status: "SUCCESS" });
    });
}

function dlqWatcherApp(received: Record<string, unknown>[]) {
  return new Hono()
    .get("/dapr/subscribe", (c) => c.json([{ pubsubname: "pubsub", topic: "tasks-dlq", route: "/dead" }]))
    .post("/dead", async (c) => (received.push(await c.req.json()), c.body(null, 200)));
}

const event = (type: string, id: string) => ({ specversion: "1.0", id, type, source: "/taskfn/test", partitionkey: "alice", data: { id } });

describe("startSidecar with the dapr/ resource files", () => {
  it("discovers subscriptions (even from an app that starts late), routes by CEL, and dead-letters like Dapr 1.18", async () => {
    const completed: Record<string, unknown>[] = [];
    const deadLetters: Record<string, unknown>[] = [];
    const publisher = await listen(new Hono());
    const watcher = await listen(dlqWatcherApp(deadLetters));
    const late = await listen(new Hono());
    const latePort = late.port;
    await late.close();
    running.servers.push(publisher, watcher);
    running.sidecar = await startSidecar({
      apps: [
        { appId: "create-task", port: publisher.port, daprApiToken: "create-token" },
        { appId: "on-task-completed", port: latePort, daprApiToken: "otc-token", appApiToken: "otc-app-token" },
        { appId: "dlq-watcher", port: watcher.port, daprApiToken: "watcher-token" },
      ],
      resourcesPaths: [join(DAPR_DIR, "components"), DAPR_DIR],
      port: 0,
      resiliency: fastResiliency(1),
      log: silentLog,
    });
    const base = `http://127.0.0.1:${running.sidecar.port}`;
    const publish = (body: object) =>
      fetch(`${base}/v1.0/publish/pubsub/tasks?metadata.partitionKey=alice`, {
        method: "POST",
        headers: { "dapr-api-token": "create-token", "content-type": "application/cloudevents+json" },
        body: JSON.stringify(body),
      });

    const first = publish(event("task.completed", "e1")); // waits for on-task-completed's subscriptions
    await new Promise((resolve) => setTimeout(resolve, 150));
    running.servers.push(await listen(onTaskCompletedApp(completed), latePort));
    expect((await first).status).toBe(204);
    expect((await publish(event("task.created", "e2"))).status).toBe(204);

    await eventually(() => completed.length === 1 && deadLetters.length === 1);
    expect(completed[0]).toMatchObject({ id: "e1", type: "task.completed", topic: "tasks", pubsubname: "pubsub" });
    expect(deadLetters[0]).toMatchObject({ id: "e2", type: "task.created" });
  });

  it("loads what it emulates from the files and resolves envRef (the optional webhook)", async () => {
    const app = await listen(new Hono());
    running.servers.push(app);
    running.sidecar = await startSidecar({
      apps: [{ appId: "send-reminder", port: app.port, daprApiToken: "send-token" }],
      resourcesPaths: [join(DAPR_DIR, "components"), DAPR_DIR, join(DAPR_DIR, "optional")],
      env: { REMINDER_WEBHOOK_URL: "http://127.0.0.1:9/hook" },
      port: 0,
      log: silentLog,
    });
    const metadata = (await (
      await fetch(`http://127.0.0.1:${running.sidecar.port}/v1.0/metadata`, { headers: { "dapr-api-token": "send-token" } })
    ).json()) as { id: string; components: { name: string }[] };
    expect(metadata.id).toBe("send-reminder");
    // The cron bindings are scoped to other apps.
    expect(metadata.components.map((c) => c.name).sort()).toEqual(["pubsub", "reminder-webhook"]);
  });

  it("stops delivering to an app while its /readyz fails, without using up retries or dead-lettering, and delivers once it recovers", async () => {
    // As daprd --enable-app-health-check --app-health-check-path /readyz: a consumer whose database is down gets nothing.
    const completed: Record<string, unknown>[] = [];
    const deadLetters: Record<string, unknown>[] = [];
    let ready = false;
    let attempts = 0;
    const consumer = onTaskCompletedApp(completed);
    const guarded = new Hono()
      .get("/readyz", (c) => (ready ? c.json({ status: "ready" }) : c.json({ status: 503 }, 503)))
      .post("/events/task.completed", (c, next) => (attempts++, ready ? next() : c.json({ status: "RETRY" })))
      .route("/", consumer);
    const publisher = await listen(new Hono());
    const app = await listen(guarded);
    const watcher = await listen(dlqWatcherApp(deadLetters));
    running.servers.push(publisher, app, watcher);
    running.sidecar = await startSidecar({
      apps: [
        { appId: "create-task", port: publisher.port, daprApiToken: "create-token" },
        { appId: "on-task-completed", port: app.port, daprApiToken: "otc-token" },
        { appId: "dlq-watcher", port: watcher.port, daprApiToken: "watcher-token" },
      ],
      resourcesPaths: [join(DAPR_DIR, "components"), DAPR_DIR],
      port: 0,
      resiliency: fastResiliency(1),
      log: silentLog,
      appHealthProbeIntervalMs: 20,
    });
    await running.sidecar.subscribed;
    // Three failed probes: the app is unhealthy.
    await new Promise((resolve) => setTimeout(resolve, 200));
    const published = await fetch(`http://127.0.0.1:${running.sidecar.port}/v1.0/publish/pubsub/tasks?metadata.partitionKey=alice`, {
      method: "POST",
      headers: { "dapr-api-token": "create-token", "content-type": "application/cloudevents+json" },
      body: JSON.stringify(event("task.completed", "while-down")),
    });
    expect(published.status).toBe(204);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect({ attempts, deadLetters: deadLetters.length }).toEqual({ attempts: 0, deadLetters: 0 });

    ready = true;
    await eventually(() => completed.length === 1);
    expect(completed[0]).toMatchObject({ id: "while-down" });
    expect(deadLetters).toEqual([]);
  });
});
