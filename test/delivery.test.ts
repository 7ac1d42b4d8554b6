/**
 * Nothing lost, nothing twice: the outbox, the idempotent consumers and the
 * SKIP LOCKED claims under the conditions they exist for — duplicate and
 * concurrent deliveries, replicas ticking together, a sidecar that is down.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { onReminderDue } from "../functions/on-reminder-due/definition.js";
import { createOnReminderDueHandler } from "../functions/on-reminder-due/handler.js";
import { onTaskCompleted } from "../functions/on-task-completed/definition.js";
import { subscriberPath } from "../runtime/topic-trigger.js";
import { createOnTaskCompletedHandler } from "../functions/on-task-completed/handler.js";
import { relayOutbox } from "../functions/relay-outbox/definition.js";
import { createRelayOutboxHandler, DEFAULT_RELAY_OPTIONS } from "../functions/relay-outbox/handler.js";
import { createDatabase, type Database } from "../runtime/database.js";
import type { TaskJson } from "../tasks/task-schema.js";
import { countRows, createTestDatabase, type TestDatabase } from "./database.js";
import { deliver } from "./events.js";
import { createTaskApi, publishedOfType, seedTasks } from "./fixtures.js";
import { HANDLER_FACTORIES } from "./functions.js";
import { authHeaders, createRecordingDapr, createTestApp, createTestRuntime, type RecordingDapr } from "./runtime.js";

let database: TestDatabase;
const replicaPools: Database[] = [];
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await Promise.all(replicaPools.map((db) => db.close()));
  await database.drop();
});

/** A database client of its own, as another replica of a function would have. */
function replicaDb(): Database {
  const db = createDatabase({ url: database.url, maxConnections: 5 });
  replicaPools.push(db);
  return db;
}

const ROUTE = subscriberPath(onTaskCompleted.trigger);
const ageOutbox = () => database.prisma.$executeRaw`UPDATE outbox_events SET created_at = created_at - interval '1 minute' WHERE published_at IS NULL`;

/** Creates a daily task, completes it, and returns the task.completed event completeTask published. */
async function completedRecurringTask(user: string) {
  const api = createTaskApi(database.db);
  const task = await api.newTask(user, { title: "Daily", dueAt: "2030-01-01T09:00:00Z", recurrence: "FREQ=DAILY" });
  await api.complete(user, task.id);
  return { task, event: publishedOfType(api.dapr, "task.completed")[0]! };
}

const nextInstances = (seriesId: string) => database.prisma.task.findMany({ where: { seriesId, occurrence: 2 } });
const createdFor = (dapr: RecordingDapr, seriesId: string) => publishedOfType(dapr, "task.created").filter((e) => (e.data as TaskJson).seriesId === seriesId);

describe("one task.completed delivered more than once", () => {
  it("creates exactly one next instance and one task.created when two deliveries arrive at once", async () => {
    const { task, event } = await completedRecurringTask("alice");
    const dapr = createRecordingDapr();
    const app = createTestApp(onTaskCompleted, createOnTaskCompletedHandler, createTestRuntime(database.db, dapr));

    expect(await Promise.all([deliver(app, ROUTE, event), deliver(app, ROUTE, event)])).toEqual(["SUCCESS", "SUCCESS"]);
    expect(await nextInstances(task.seriesId)).toHaveLength(1);
    expect(createdFor(dapr, task.seriesId)).toHaveLength(1);
    const outboxed = (await database.prisma.outboxEvent.findMany()).map((row) => row.cloudEvent as { type: string; data: TaskJson });
    expect(outboxed.filter((e) => e.type === "task.created" && e.data.seriesId === task.seriesId && e.data.occurrence === 2)).toHaveLength(1);
  });

  it("creates exactly one when two replicas, each with its own pool, get it at the same moment", async () => {
    const { task, event } = await completedRecurringTask("bob");
    const daprs = [createRecordingDapr(), createRecordingDapr(), createRecordingDapr()];
    const replicas = daprs.map((dapr) => createTestApp(onTaskCompleted, createOnTaskCompletedHandler, createTestRuntime(replicaDb(), dapr)));

    const replies = await Promise.all(replicas.map((app) => deliver(app, ROUTE, event)));
    expect(replies).toEqual(["SUCCESS", "SUCCESS", "SUCCESS"]);
    expect(await nextInstances(task.seriesId)).toHaveLength(1);
    expect(daprs.flatMap((dapr) => createdFor(dapr, task.seriesId))).toHaveLength(1);
    expect(await database.prisma.processedEvent.count({ where: { eventId: event.id } })).toBe(1);
  });

  it("answers SUCCESS to a redelivery much later and changes nothing", async () => {
    const { task, event } = await completedRecurringTask("carol");
    const dapr = createRecordingDapr();
    const app = createTestApp(onTaskCompleted, createOnTaskCompletedHandler, createTestRuntime(database.db, dapr));
    await deliver(app, ROUTE, event);

    const before = await countRows(database.prisma);
    for (let i = 0; i < 3; i++) expect(await deliver(app, ROUTE, event)).toBe("SUCCESS");
    expect(await countRows(database.prisma)).toEqual(before);
    expect(createdFor(dapr, task.seriesId)).toHaveLength(1);
  });
});

describe("reminder replicas ticking together", () => {
  it("claim each of 250 due reminders exactly once between them", async () => {
    const ids = await seedTasks(database.prisma, "reminded", 250, (i) => ({ remindAt: new Date(Date.now() - 60_000 - i * 1000) }));
    const daprs = [createRecordingDapr(), createRecordingDapr()];
    const replicas = daprs.map((dapr) =>
      createTestApp(onReminderDue, (rt) => createOnReminderDueHandler(rt, { batchSize: 10, maxBatches: 100 }), createTestRuntime(replicaDb(), dapr)),
    );

    const answers = await Promise.all(replicas.map((app) => app.request("/reminder-cron", { method: "POST" })));
    const summaries = (await Promise.all(answers.map((res) => res.json()))) as { claimed: number }[];
    expect(answers.map((res) => res.status)).toEqual([200, 200]);
    expect(summaries.reduce((sum, s) => sum + s.claimed, 0)).toBe(250);
    expect(
      summaries.every((s) => s.claimed > 0),
      "both replicas took part, so the claims really raced",
    ).toBe(true);

    // One user's reminders written by two replicas at once: a batch written while the
    // other replica's batch still waited for its publish waits for the relay (per-key order).
    await ageOutbox();
    const relayDapr = createRecordingDapr();
    const relay = createTestApp(relayOutbox, createRelayOutboxHandler, createTestRuntime(database.db, relayDapr));
    expect((await relay.request("/outbox-cron", { method: "POST" })).status).toBe(200);

    const perTask = new Map<string, number>();
    for (const dapr of [...daprs, relayDapr])
      for (const e of publishedOfType(dapr, "reminder.due")) perTask.set(e.subject!, (perTask.get(e.subject!) ?? 0) + 1);
    expect([...perTask.keys()].sort()).toEqual([...ids].sort());
    expect([...perTask.values()].every((n) => n === 1)).toBe(true);
    expect(await database.prisma.task.count({ where: { userId: "reminded", reminderSentAt: null } })).toBe(0);
  });
});

describe("the outbox while the sidecar is unreachable", () => {
  it("still answers 201, keeps the event, and relayOutbox later publishes it with the same CloudEvent id, in the request's trace", async () => {
    const writer = createRecordingDapr();
    writer.down = true;
    const api = createTaskApi(database.db, writer);
    const traceparent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
    const res = await HANDLER_FACTORIES.createTask!.app(api.runtime).request("/api/dora/tasks", {
      method: "POST",
      headers: { ...(await authHeaders("dora")), traceparent },
      body: JSON.stringify({ title: "Written while the sidecar is down" }),
    });
    expect(res.status).toBe(201);
    const task = (await res.json()) as TaskJson;
    expect(writer.published).toEqual([]);

    const [row] = await database.prisma.outboxEvent.findMany({ where: { publishedAt: null, partitionKey: "dora" } });
    expect(row).toMatchObject({ topic: "tasks", attempts: 0, traceparent });
    expect(row!.cloudEvent).toMatchObject({ id: row!.id, type: "task.created", subject: task.id, data: task });

    await ageOutbox();
    const relayDapr = createRecordingDapr();
    const relay = createTestApp(relayOutbox, createRelayOutboxHandler, createTestRuntime(database.db, relayDapr));
    expect((await relay.request("/outbox-cron", { method: "POST" })).status).toBe(200);
    expect(relayDapr.published).toHaveLength(1);
    expect(relayDapr.published[0]!.cloudEvent).toEqual({ ...(row!.cloudEvent as object), traceparent, traceid: traceparent });
    expect(relayDapr.published[0]!.trace).toEqual({ traceparent });
    expect(relayDapr.published[0]!.cloudEvent.id).toBe(row!.id);
    expect(await database.prisma.outboxEvent.findUniqueOrThrow({ where: { id: row!.id } })).toMatchObject({ publishedAt: expect.any(Date), attempts: 1 });
  });

  it("loses no recurrence: a completion written while down is relayed and creates the next instance once, even if published twice", async () => {
    const writer = createRecordingDapr();
    writer.down = true;
    const api = createTaskApi(database.db, writer);
    const task = await api.newTask("erik", { title: "Weekly", dueAt: "2030-01-06T09:00:00Z", recurrence: "FREQ=WEEKLY" });
    await api.complete("erik", task.id);

    await ageOutbox();
    const relayDapr = createRecordingDapr();
    await createTestApp(relayOutbox, createRelayOutboxHandler, createTestRuntime(database.db, relayDapr)).request("/outbox-cron", { method: "POST" });
    const relayed = publishedOfType(relayDapr, "task.completed").find((e) => e.subject === task.id)!;
    expect(relayed).toBeDefined();

    const consumer = createTestApp(onTaskCompleted, createOnTaskCompletedHandler, createTestRuntime(database.db, createRecordingDapr()));
    // At-least-once: the same event may reach the consumer twice (e.g. the writer's publish was slow, not failed).
    expect(await deliver(consumer, ROUTE, relayed)).toBe("SUCCESS");
    expect(await deliver(consumer, ROUTE, relayed)).toBe("SUCCESS");
    expect(await nextInstances(task.seriesId)).toMatchObject([{ dueAt: new Date("2030-01-13T09:00:00Z") }]);
  });

  it("two relays running at once publish each waiting event exactly once", async () => {
    const writer = createRecordingDapr();
    writer.down = true;
    const api = createTaskApi(database.db, writer);
    for (let i = 0; i < 30; i++) await api.newTask("relayed", { title: `t${i}` });
    await ageOutbox();

    const daprs = [createRecordingDapr(), createRecordingDapr()];
    const relays = daprs.map((dapr) =>
      createTestApp(
        relayOutbox,
        (rt) => createRelayOutboxHandler(rt, { ...DEFAULT_RELAY_OPTIONS, keys: 2, perKey: 4, maxClaims: 50 }),
        createTestRuntime(replicaDb(), dapr),
      ),
    );
    const answers = await Promise.all(relays.map((relay) => relay.request("/outbox-cron", { method: "POST" })));
    expect(answers.map((res) => res.status)).toEqual([200, 200]);

    const ids = daprs.flatMap((dapr) => dapr.published.map((p) => p.cloudEvent.id));
    expect(ids).toHaveLength(30);
    expect(new Set(ids).size).toBe(30);
    expect(await database.prisma.outboxEvent.count({ where: { publishedAt: null } })).toBe(0);
  });

  it("two relays running at once never interleave one user's events: each key goes out whole, in commit order", async () => {
    const writer = createRecordingDapr();
    writer.down = true;
    const api = createTaskApi(database.db, writer);
    const users = ["ann", "ben", "cid"];
    for (let i = 0; i < 12; i++) for (const user of users) await api.newTask(user, { title: `t${i}` });
    await ageOutbox();
    const committed = await database.prisma.outboxEvent.findMany({ where: { publishedAt: null, partitionKey: { in: users } }, orderBy: { seq: "asc" } });

    // One log of what reached the broker, in arrival order, whichever relay sent it.
    const broker: { relay: number; key: string; id: string }[] = [];
    const daprs = [0, 1].map((relay) => {
      const dapr = createRecordingDapr();
      dapr.beforePublish = async (request) => {
        await new Promise((resolve) => setTimeout(resolve, 2));
        broker.push({ relay, key: request.partitionKey, id: (request.cloudEvent as { id: string }).id });
      };
      return dapr;
    });
    const relays = daprs.map((dapr) =>
      createTestApp(
        relayOutbox,
        (rt) => createRelayOutboxHandler(rt, { ...DEFAULT_RELAY_OPTIONS, keys: 1, perKey: 4, maxClaims: 50 }),
        createTestRuntime(replicaDb(), dapr),
      ),
    );
    const answers = await Promise.all(relays.map((relay) => relay.request("/outbox-cron", { method: "POST" })));
    expect(answers.map((res) => res.status)).toEqual([200, 200]);

    for (const user of users) {
      const arrived = broker.filter((entry) => entry.key === user).map((entry) => entry.id);
      expect(arrived, user).toEqual(committed.filter((row) => row.partitionKey === user).map((row) => row.id));
    }
    expect(new Set(broker.map((entry) => entry.relay)).size, "both relays took part").toBe(2);
  });
});
