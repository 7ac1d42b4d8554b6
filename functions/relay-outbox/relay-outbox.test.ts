import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { sql } from "../../runtime/database.js";
import { RetryableError, UnpublishableEventError } from "../../runtime/errors.js";
import { MAX_ATTEMPTS } from "../../runtime/outbox-relay.js";
import { createTestDatabase, type TestDatabase } from "../../test/database.js";
import { createTaskApi, seedTasks, type TaskApi } from "../../test/fixtures.js";
import { expectProblem } from "../../test/problems.js";
import { createRecordingDapr, createTestApp, createTestRuntime, type RecordingDapr } from "../../test/runtime.js";
import { onReminderDue } from "../on-reminder-due/definition.js";
import { createOnReminderDueHandler } from "../on-reminder-due/handler.js";
import { relayOutbox } from "./definition.js";
import { createRelayOutboxHandler, DEFAULT_RELAY_OPTIONS } from "./handler.js";

let database: TestDatabase;
/** The writers' sidecar: down while the tasks are written. */
let writerDapr: RecordingDapr;
let api: TaskApi;
/** The relay's sidecar. */
let dapr: RecordingDapr;
let app: ReturnType<typeof createTestApp>;

beforeAll(async () => {
  database = await createTestDatabase();
});
beforeEach(async () => {
  await database.prisma.outboxEvent.deleteMany();
  writerDapr = createRecordingDapr();
  writerDapr.down = true;
  api = createTaskApi(database.db, writerDapr);
  dapr = createRecordingDapr();
  app = createTestApp(relayOutbox, createRelayOutboxHandler, createTestRuntime(database.db, dapr));
});
afterAll(() => database.drop());

/** Makes every outbox row older than the relay's default minAge (5 s), as if the writer had crashed a while ago. */
const age = (seconds = 60) => database.prisma.$executeRaw`UPDATE outbox_events SET created_at = created_at - make_interval(secs => ${seconds})`;
const tick = (target = app) => target.request("/outbox-cron", { method: "POST" });
const unpublished = () => database.prisma.outboxEvent.findMany({ where: { publishedAt: null }, orderBy: { seq: "asc" } });

describe("relayOutbox", () => {
  it("answers OPTIONS /outbox-cron with 2xx, so Dapr keeps the input binding", async () => {
    const res = await app.request("/outbox-cron", { method: "OPTIONS" });
    expect(res.ok).toBe(true);
  });

  it("publishes what was left unpublished while the sidecar was down, in the order it was written, with the same CloudEvents", async () => {
    const task = await api.newTask("alice", { title: "Written while down" });
    await api.update("alice", task.id, { title: "Renamed while down" });
    await api.complete("alice", task.id);
    const other = await api.newTask("bob", { title: "Bob's" });
    const waiting = await unpublished();
    expect(waiting.map((row) => (row.cloudEvent as { type: string }).type)).toEqual(["task.created", "task.updated", "task.completed", "task.created"]);

    await age();
    const res = await tick();
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ published: 4 });

    // The same CloudEvents, each in the trace of the request that wrote it.
    expect(dapr.published.map((p) => p.cloudEvent)).toEqual(
      waiting.map((row) => ({ ...(row.cloudEvent as object), traceparent: row.traceparent, traceid: row.traceparent })),
    );
    expect(waiting.every((row) => row.traceparent !== null)).toBe(true);
    expect(dapr.published.map((p) => [p.pubsub, p.topic, p.partitionKey])).toEqual([
      ["pubsub", "tasks", "alice"],
      ["pubsub", "tasks", "alice"],
      ["pubsub", "tasks", "alice"],
      ["pubsub", "tasks", "bob"],
    ]);
    expect(dapr.published.at(-1)!.cloudEvent.subject).toBe(other.id);
    expect(await unpublished()).toEqual([]);
  });

  it("publishes each event once: the next tick finds nothing", async () => {
    await api.newTask("alice");
    await age();
    await tick();
    const res = await tick();
    expect(await res.json()).toEqual({ published: 0 });
    expect(dapr.published).toHaveLength(1);
    const [row] = await database.prisma.outboxEvent.findMany();
    expect(row).toMatchObject({ attempts: 1, publishedAt: expect.any(Date) });
  });

  it("leaves events younger than minAge alone: their writer may still be publishing them", async () => {
    await api.newTask("alice");
    expect(await (await tick()).json()).toEqual({ published: 0 });
    expect(dapr.published).toEqual([]);
    expect(await unpublished()).toHaveLength(1);
  });

  it("answers 500 problem+json and keeps the rows when its own sidecar is still down", async () => {
    await api.newTask("alice");
    await api.newTask("bob");
    await age();
    dapr.down = true;
    await expectProblem(await tick(), 500);
    expect(await unpublished()).toHaveLength(2);
    dapr.down = false;
    expect(await (await tick()).json()).toEqual({ published: 2 });
  });

  it("stops at the first event the sidecar refuses, so later events never overtake it", async () => {
    for (const title of ["one", "two", "three"]) await api.newTask("alice", { title });
    await age();
    const order = (await unpublished()).map((row) => row.id);
    dapr.beforePublish = () => {
      if (dapr.published.length === 1) throw new RetryableError("refused (test)");
    };
    await expectProblem(await tick(), 500);
    expect(dapr.published.map((p) => p.cloudEvent.id)).toEqual(order.slice(0, 1));
    expect((await unpublished()).map((row) => row.id)).toEqual(order.slice(1));

    dapr.beforePublish = undefined;
    await tick();
    expect(dapr.published.map((p) => p.cloudEvent.id)).toEqual(order);
  });

  it("publishes the events of one transaction in the order they were emitted", async () => {
    // One onReminderDue batch emits many events in one transaction, all with the same created_at.
    const ids = await seedTasks(database.prisma, "alice", 30, (i) => ({ remindAt: new Date(Date.now() - (60 - i) * 1000) }));
    const reminders = createTestApp(onReminderDue, createOnReminderDueHandler, createTestRuntime(database.db, writerDapr));
    expect((await reminders.request("/reminder-cron", { method: "POST" })).status).toBe(200);
    await age();
    await tick();
    expect(dapr.published.map((p) => p.cloudEvent.subject)).toEqual(ids);
  });

  it("works through a backlog larger than one batch, in order", async () => {
    const relay = createTestApp(
      relayOutbox,
      (rt) => createRelayOutboxHandler(rt, { ...DEFAULT_RELAY_OPTIONS, perKey: 3 }),
      createTestRuntime(database.db, dapr),
    );
    for (let i = 0; i < 8; i++) await api.newTask("alice", { title: `t${i}` });
    await age();
    const order = (await unpublished()).map((row) => row.id);
    expect(await (await tick(relay)).json()).toEqual({ published: 8 });
    expect(dapr.published.map((p) => p.cloudEvent.id)).toEqual(order);
  });
});

describe("relayOutbox under faults", () => {
  const idleInTransaction = async () =>
    (
      await database.db.query<{ n: number }>(
        sql`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND state LIKE 'idle in transaction%'`,
      )
    )[0]!.n;

  it("holds no transaction open while the sidecar is called", async () => {
    // Before: the claim's transaction stayed open across every publish of a batch, past idle_in_transaction_session_timeout.
    for (const title of ["one", "two"]) await api.newTask("alice", { title });
    await age();
    const seen: number[] = [];
    dapr.beforePublish = async () => {
      seen.push(await idleInTransaction());
    };
    expect(await (await tick()).json()).toEqual({ published: 2 });
    expect(seen).toEqual([0, 0]);
  });

  it("does not let one key's refused event hold up other keys", async () => {
    const stuck = await api.newTask("alice", { title: "refused" });
    await api.newTask("bob", { title: "bob's" });
    await api.newTask("carol", { title: "carol's" });
    await age();
    dapr.beforePublish = (request) => {
      if ((request.cloudEvent as { subject?: string }).subject === stuck.id) throw new RetryableError("refused (test)");
    };
    await expectProblem(await tick(), 500);
    expect(dapr.published.map((p) => p.partitionKey).sort()).toEqual(["bob", "carol"]);
    expect((await unpublished()).map((row) => row.partitionKey)).toEqual(["alice"]);
  });

  it(`parks an event the sidecar keeps refusing while it accepts others, after ${MAX_ATTEMPTS} ticks, with the error; then its key's later events go on`, async () => {
    const poison = await api.newTask("alice", { title: "poison" });
    const later = await api.newTask("alice", { title: "later" });
    await age();
    dapr.beforePublish = (request) => {
      if ((request.cloudEvent as { subject?: string }).subject === poison.id) throw new RetryableError("sidecar answered 500 message too large (test)");
    };
    for (let i = 1; i <= MAX_ATTEMPTS; i++) {
      await api.newTask(`other-${i}`, { title: "flows" });
      await age();
      await expectProblem(await tick(), 500);
      // Per-key order: the later event waits behind the refused one until it is parked.
      expect(
        dapr.published.some((p) => p.cloudEvent.subject === later.id),
        `tick ${i}`,
      ).toBe(false);
    }
    const [parked] = await database.prisma.outboxEvent.findMany({ where: { partitionKey: "alice", parkedAt: { not: null } } });
    expect(parked).toMatchObject({ attempts: MAX_ATTEMPTS, lastError: expect.stringContaining("message too large"), publishedAt: null });
    expect((parked!.cloudEvent as { subject: string }).subject).toBe(poison.id);

    expect(await (await tick()).json()).toEqual({ published: 1 });
    expect(dapr.published.at(-1)!.cloudEvent.subject).toBe(later.id);
    expect(await unpublished()).toHaveLength(1); // the parked one, set aside
  });

  it("parks at once an event the sidecar refuses for its own sake, even while it refuses every other event too (its circuit breaker open)", async () => {
    // Before: only refusals while the sidecar accepted others counted, and the oversized row's own refusals
    // opened daprd's breaker on publishes, so nothing was accepted, nothing counted, and the row blocked everyone.
    const huge = await api.newTask("alice", { title: "too large" });
    const later = await api.newTask("alice", { title: "later" });
    await api.newTask("bob", { title: "bob's" });
    await age();
    dapr.beforePublish = (request) => {
      if ((request.cloudEvent as { subject?: string }).subject === huge.id)
        throw new UnpublishableEventError("publish to tasks: sidecar answered 500 ERR_PUBSUB_PUBLISH_MESSAGE ... MaxMessageBytes (test)");
      throw new RetryableError("publish to tasks: sidecar answered 500 circuit breaker is open (test)");
    };
    await expectProblem(await tick(), 500);
    const [parked] = await database.prisma.outboxEvent.findMany({ where: { parkedAt: { not: null } } });
    expect(parked).toMatchObject({ attempts: 1, lastError: expect.stringContaining("MaxMessageBytes"), publishedAt: null });
    expect((parked!.cloudEvent as { subject: string }).subject).toBe(huge.id);
    // The breaker's refusals of the others count for nothing: an outage parks nothing.
    expect((await unpublished()).filter((row) => row.parkedAt === null).map((row) => [row.partitionKey, row.attempts])).toEqual([
      ["alice", 0],
      ["bob", 0],
    ]);

    dapr.beforePublish = undefined;
    expect(await (await tick()).json()).toEqual({ published: 2 });
    expect(dapr.published.map((p) => p.cloudEvent.subject)).toContain(later.id);
  });

  it("parks nothing during an outage: refusals while the sidecar accepts nothing do not count", async () => {
    await api.newTask("alice");
    await api.newTask("bob");
    await age();
    dapr.down = true;
    for (let i = 0; i < MAX_ATTEMPTS + 2; i++) await expectProblem(await tick(), 500);
    expect(await database.prisma.outboxEvent.count({ where: { parkedAt: { not: null } } })).toBe(0);
    expect((await unpublished()).map((row) => row.attempts)).toEqual([0, 0]);
    dapr.down = false;
    expect(await (await tick()).json()).toEqual({ published: 2 });
  });
});
