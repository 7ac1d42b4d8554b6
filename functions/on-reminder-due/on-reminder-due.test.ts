import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createTestDatabase, createUnreachableDatabase, type TestDatabase } from "../../test/database.js";
import { createTaskApi, publishedOfType, seedTasks, type TaskApi } from "../../test/fixtures.js";
import { expectProblem } from "../../test/problems.js";
import { createRecordingDapr, createTestApp, createTestRuntime, type RecordingDapr } from "../../test/runtime.js";
import { onReminderDue } from "./definition.js";
import { createOnReminderDueHandler } from "./handler.js";

let database: TestDatabase;
let api: TaskApi;
let dapr: RecordingDapr;
let app: ReturnType<typeof createTestApp>;
beforeAll(async () => {
  database = await createTestDatabase();
  api = createTaskApi(database.db);
});
beforeEach(async () => {
  // Each test starts from an empty task table and a fresh sidecar double.
  await database.prisma.task.deleteMany();
  dapr = createRecordingDapr();
  app = createTestApp(onReminderDue, createOnReminderDueHandler, createTestRuntime(database.db, dapr));
});
afterAll(() => database.drop());

const minutesAgo = (n: number) => new Date(Date.now() - n * 60_000).toISOString();
const tick = async (target = app) => {
  const res = await target.request("/reminder-cron", { method: "POST" });
  expect(res.status, await res.clone().text()).toBe(200);
  return (await res.json()) as { claimed: number };
};
const remindedTaskIds = (d = dapr) => publishedOfType(d, "reminder.due").map((e) => e.subject);

describe("onReminderDue", () => {
  it("answers OPTIONS /reminder-cron with 2xx, so Dapr keeps the input binding", async () => {
    const res = await app.request("/reminder-cron", { method: "OPTIONS" });
    expect(res.status).toBeGreaterThanOrEqual(200);
    expect(res.status).toBeLessThan(300);
  });

  it("emits reminder.due for each due reminder, with the task's title, dueAt and remindAt", async () => {
    const task = await api.newTask("alice", { title: "Call the bank", dueAt: "2030-01-01T09:00:00Z", remindAt: minutesAgo(1) });
    const noDue = await api.newTask("bob", { title: "No due date", remindAt: minutesAgo(2) });
    expect(await tick()).toEqual({ claimed: 2 });

    const events = publishedOfType(dapr, "reminder.due");
    expect(events.map((e) => e.subject).sort()).toEqual([task.id, noDue.id].sort());
    const forTask = events.find((e) => e.subject === task.id)!;
    expect(forTask).toMatchObject({
      source: "/taskfn/onReminderDue",
      partitionkey: "alice",
      data: { taskId: task.id, userId: "alice", title: "Call the bank", dueAt: "2030-01-01T09:00:00.000Z", remindAt: task.remindAt },
    });
    expect(events.find((e) => e.subject === noDue.id)!.data).toMatchObject({ dueAt: null, userId: "bob" });
    expect(dapr.published.find((p) => p.cloudEvent.subject === task.id)).toMatchObject({ topic: "reminders", partitionKey: "alice" });
  });

  it("marks claimed reminders sent and does not send them again on the next tick", async () => {
    const task = await api.newTask("alice", { title: "Once", remindAt: minutesAgo(1) });
    await tick();
    const stored = await database.prisma.task.findUniqueOrThrow({ where: { id: task.id } });
    expect(stored.reminderSentAt).not.toBeNull();
    expect(await tick()).toEqual({ claimed: 0 });
    expect(remindedTaskIds()).toEqual([task.id]);
  });

  it("ignores future reminders, tasks without a reminder and completed tasks", async () => {
    await api.newTask("alice", { title: "Later", remindAt: new Date(Date.now() + 3_600_000).toISOString() });
    await api.newTask("alice", { title: "No reminder" });
    const done = await api.newTask("alice", { title: "Done", remindAt: minutesAgo(1) });
    await api.complete("alice", done.id);
    expect(await tick()).toEqual({ claimed: 0 });
    expect(remindedTaskIds()).toEqual([]);
  });

  it("sends a moved reminder again once the new time is due", async () => {
    const task = await api.newTask("alice", { title: "Moved", remindAt: minutesAgo(10) });
    await tick();
    await api.update("alice", task.id, { remindAt: minutesAgo(1) });
    await tick();
    expect(remindedTaskIds()).toEqual([task.id, task.id]);
  });

  it("works through a backlog in batches, oldest reminder first, up to maxBatches per tick", async () => {
    const ids = await seedTasks(database.prisma, "backlog", 25, (i) => ({ remindAt: new Date(Date.now() - (100 - i) * 60_000) }));
    const batched = createTestApp(
      onReminderDue,
      (rt) => createOnReminderDueHandler(rt, { batchSize: 10, maxBatches: 2 }),
      createTestRuntime(database.db, dapr),
    );
    expect(await tick(batched)).toEqual({ claimed: 20 });
    expect(remindedTaskIds()).toEqual(ids.slice(0, 20));
    expect(await tick(batched)).toEqual({ claimed: 5 });
    expect(remindedTaskIds()).toEqual(ids);
  });

  it("keeps the claim and the events when the sidecar is down: the events wait in the outbox", async () => {
    const task = await api.newTask("alice", { title: "Sidecar down", remindAt: minutesAgo(1) });
    dapr.down = true;
    expect(await tick()).toEqual({ claimed: 1 });
    const waiting = await database.prisma.outboxEvent.findMany({ where: { publishedAt: null, topic: "reminders" } });
    expect(waiting.map((row) => (row.cloudEvent as { subject: string }).subject)).toEqual([task.id]);
    expect((await database.prisma.task.findUniqueOrThrow({ where: { id: task.id } })).reminderSentAt).not.toBeNull();
  });

  it("answers 503 problem+json when the database is down, so Dapr tries the tick again", async () => {
    const down = createTestApp(onReminderDue, createOnReminderDueHandler, createTestRuntime(createUnreachableDatabase(), createRecordingDapr()));
    await expectProblem(await down.request("/reminder-cron", { method: "POST" }), 503);
  });
});
