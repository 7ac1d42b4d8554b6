import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TaskJson } from "../../tasks/task-schema.js";
import { countRows, createTestDatabase, createUnreachableDatabase, type TestDatabase } from "../../test/database.js";
import { completedEvent, deliver, taskJson } from "../../test/events.js";
import { createTaskApi, publishedOfType, type TaskApi } from "../../test/fixtures.js";
import { createRecordingDapr, createTestApp, createTestRuntime, type RecordingDapr } from "../../test/runtime.js";
import { onTaskCompleted } from "./definition.js";
import { subscriberPath } from "../../runtime/topic-trigger.js";
import { createOnTaskCompletedHandler } from "./handler.js";

const ROUTE = subscriberPath(onTaskCompleted.trigger);

let database: TestDatabase;
let api: TaskApi;
let dapr: RecordingDapr;
let app: ReturnType<typeof createTestApp>;
beforeAll(async () => {
  database = await createTestDatabase();
  api = createTaskApi(database.db);
  dapr = createRecordingDapr();
  app = createTestApp(onTaskCompleted, createOnTaskCompletedHandler, createTestRuntime(database.db, dapr));
});
afterAll(() => database.drop());

/** Creates a task through the API, completes it, and returns the task.completed event completeTask published. */
async function completeThroughApi(user: string, body: Record<string, unknown>) {
  const task = await api.newTask(user, body);
  await api.complete(user, task.id);
  const event = publishedOfType(api.dapr, "task.completed").find((e) => e.subject === task.id);
  expect(event).toBeDefined();
  return { task, event: event! };
}

const instancesOf = (seriesId: string) => database.prisma.task.findMany({ where: { seriesId }, orderBy: { occurrence: "asc" } });

describe("onTaskCompleted", () => {
  it("creates the next instance of a recurring task: same series, occurrence + 1, dueAt the rule's next occurrence", async () => {
    const { task, event } = await completeThroughApi("alice", {
      title: "Standup",
      tags: ["work"],
      priority: "high",
      description: "Daily",
      dueAt: "2030-01-07T09:00:00Z",
      recurrence: "FREQ=WEEKLY;BYDAY=MO,TH",
    });
    expect(await deliver(app, ROUTE, event)).toBe("SUCCESS");

    const [first, next] = await instancesOf(task.seriesId);
    expect(first!.id).toBe(task.id);
    expect(next).toMatchObject({
      userId: "alice",
      seriesId: task.id,
      occurrence: 2,
      title: "Standup",
      description: "Daily",
      priority: "high",
      tags: ["work"],
      recurrence: "FREQ=WEEKLY;BYDAY=MO,TH",
      dueAt: new Date("2030-01-10T09:00:00Z"), // Monday → Thursday
      remindAt: null,
      completed: false,
      completedAt: null,
      reminderSentAt: null,
    });
    expect(next!.id).not.toBe(task.id);
  });

  it("emits task.created for the next instance, keyed by its owner", async () => {
    const { event } = await completeThroughApi("alice", { title: "Emit", dueAt: "2030-01-01T09:00:00Z", recurrence: "FREQ=DAILY" });
    await deliver(app, ROUTE, event);
    const created = publishedOfType(dapr, "task.created").filter((e) => (e.data as TaskJson).seriesId === event.subject);
    expect(created).toHaveLength(1);
    expect(created[0]).toMatchObject({ source: "/taskfn/onTaskCompleted", partitionkey: "alice", data: { occurrence: 2, dueAt: "2030-01-02T09:00:00.000Z" } });
  });

  it("expands the rule in the task's time zone: daily 09:00 in Europe/Berlin stays 09:00 local across the spring change", async () => {
    // 2030-03-31 is the day Europe/Berlin moves from CET (+1) to CEST (+2).
    const { task, event } = await completeThroughApi("alice", {
      title: "Zoned",
      dueAt: "2030-03-30T08:00:00Z",
      remindAt: "2030-03-30T07:45:00Z",
      recurrence: "FREQ=DAILY",
      timeZone: "Europe/Berlin",
    });
    expect(await deliver(app, ROUTE, event)).toBe("SUCCESS");
    const next = (await instancesOf(task.seriesId))[1];
    expect(next).toMatchObject({ timeZone: "Europe/Berlin", dueAt: new Date("2030-03-31T07:00:00Z"), remindAt: new Date("2030-03-31T06:45:00Z") });
  });

  it("moves remindAt by the same offset before dueAt", async () => {
    const { task, event } = await completeThroughApi("alice", {
      title: "Pills",
      dueAt: "2030-01-31T20:00:00Z",
      remindAt: "2030-01-31T19:45:00Z",
      recurrence: "FREQ=MONTHLY;BYMONTHDAY=-1",
    });
    await deliver(app, ROUTE, event);
    const next = (await instancesOf(task.seriesId))[1];
    expect(next).toMatchObject({ dueAt: new Date("2030-02-28T20:00:00Z"), remindAt: new Date("2030-02-28T19:45:00Z") });
  });

  it("keeps a reminder set after dueAt after it in the next instance", async () => {
    const { task, event } = await completeThroughApi("alice", {
      title: "Follow up",
      dueAt: "2030-01-01T09:00:00Z",
      remindAt: "2030-01-01T10:00:00Z",
      recurrence: "FREQ=DAILY",
    });
    await deliver(app, ROUTE, event);
    expect((await instancesOf(task.seriesId))[1]).toMatchObject({ dueAt: new Date("2030-01-02T09:00:00Z"), remindAt: new Date("2030-01-02T10:00:00Z") });
  });

  it("drops a reminder that would shift past year 9999 instead of retrying the event forever (found by the fuzz suite, seed 1160604309)", async () => {
    const { task, event } = await completeThroughApi("alice", {
      title: "Someday",
      dueAt: "2030-01-01T09:00:00Z",
      remindAt: "9999-12-31T23:59:59.999Z",
      recurrence: "FREQ=YEARLY",
    });
    expect(await deliver(app, ROUTE, event)).toBe("SUCCESS");
    expect((await instancesOf(task.seriesId))[1]).toMatchObject({ dueAt: new Date("2031-01-01T09:00:00Z"), remindAt: null });
  });

  it("follows the series from the completed instance: completing the second creates the third", async () => {
    const { task, event } = await completeThroughApi("alice", { title: "Chain", dueAt: "2030-01-01T09:00:00Z", recurrence: "FREQ=DAILY;COUNT=3" });
    await deliver(app, ROUTE, event);
    const second = (await instancesOf(task.seriesId))[1]!;
    await api.complete("alice", second.id);
    const secondCompleted = publishedOfType(api.dapr, "task.completed").find((e) => e.subject === second.id)!;
    expect(await deliver(app, ROUTE, secondCompleted)).toBe("SUCCESS");
    const third = (await instancesOf(task.seriesId))[2];
    expect(third).toMatchObject({ occurrence: 3, dueAt: new Date("2030-01-03T09:00:00Z") });

    // COUNT=3: completing the third ends the series.
    await api.complete("alice", third!.id);
    const thirdCompleted = publishedOfType(api.dapr, "task.completed").find((e) => e.subject === third!.id)!;
    expect(await deliver(app, ROUTE, thirdCompleted)).toBe("SUCCESS");
    expect(await instancesOf(task.seriesId)).toHaveLength(3);
  });

  it("does nothing for a task that does not recur, but still answers SUCCESS and records the event", async () => {
    const { task, event } = await completeThroughApi("alice", { title: "Once", dueAt: "2030-01-01T09:00:00Z" });
    const before = await countRows(database.prisma);
    expect(await deliver(app, ROUTE, event)).toBe("SUCCESS");
    expect(await instancesOf(task.seriesId)).toHaveLength(1);
    expect(await countRows(database.prisma)).toEqual({ ...before, processed: before.processed + 1 });
  });

  it("does nothing once COUNT is exhausted", async () => {
    const last = taskJson({ dueAt: "2030-01-05T09:00:00.000Z", recurrence: "FREQ=DAILY;COUNT=5", occurrence: 5 });
    const before = await countRows(database.prisma);
    expect(await deliver(app, ROUTE, completedEvent(last))).toBe("SUCCESS");
    expect(await countRows(database.prisma)).toEqual({ ...before, processed: before.processed + 1 });
  });

  it("does nothing once UNTIL is passed", async () => {
    const last = taskJson({ dueAt: "2030-01-05T09:00:00.000Z", recurrence: "FREQ=DAILY;UNTIL=20300105T120000Z" });
    const before = await countRows(database.prisma);
    expect(await deliver(app, ROUTE, completedEvent(last))).toBe("SUCCESS");
    expect((await countRows(database.prisma)).tasks).toBe(before.tasks);
  });

  it("answers SUCCESS and creates nothing more when the same event is delivered again later", async () => {
    const { task, event } = await completeThroughApi("alice", { title: "Again", dueAt: "2030-01-01T09:00:00Z", recurrence: "FREQ=DAILY" });
    expect(await deliver(app, ROUTE, event)).toBe("SUCCESS");
    const before = await countRows(database.prisma);
    const published = dapr.published.length;
    expect(await deliver(app, ROUTE, event)).toBe("SUCCESS");
    expect(await countRows(database.prisma)).toEqual(before);
    expect(dapr.published).toHaveLength(published);
    expect(await instancesOf(task.seriesId)).toHaveLength(2);
  });

  it("creates one next instance even from two different events about the same completion", async () => {
    // e.g. the outbox relay and the writer both published it, under different ids: the (seriesId, occurrence) key decides.
    const completed = taskJson({ dueAt: "2030-01-01T09:00:00.000Z", recurrence: "FREQ=DAILY" });
    expect(await deliver(app, ROUTE, completedEvent(completed))).toBe("SUCCESS");
    expect(await deliver(app, ROUTE, completedEvent(completed))).toBe("SUCCESS");
    expect(await instancesOf(completed.seriesId)).toHaveLength(1); // the completed one was never stored; only its successor
    expect(publishedOfType(dapr, "task.created").filter((e) => (e.data as TaskJson).seriesId === completed.seriesId)).toHaveLength(1);
  });

  describe("drops what can never be processed, changing nothing", () => {
    const valid = () => completedEvent(taskJson({ dueAt: "2030-01-01T09:00:00.000Z", recurrence: "FREQ=DAILY" }));
    it.each([
      ["a malformed body", "{this is not json"],
      ["a body that is not a CloudEvent", { title: "just a task" }],
      ["a CloudEvent without an id", { ...valid(), id: undefined }],
      ["a CloudEvent of another type", { ...valid(), type: "task.created" }],
      ["task data missing fields", { ...valid(), data: { id: "x" } }],
      ["task data of the wrong types", { ...valid(), data: { ...(valid().data as TaskJson), occurrence: "two" } }],
      ["an invalid recurrence in the data", { ...valid(), data: { ...(valid().data as TaskJson), recurrence: "FREQ=DAILY;INTERVAL=abc" } }],
    ])("%s → DROP", async (_what, body) => {
      const before = await countRows(database.prisma);
      const published = dapr.published.length;
      expect(await deliver(app, ROUTE, body)).toBe("DROP");
      expect(await countRows(database.prisma)).toEqual(before);
      expect(dapr.published).toHaveLength(published);
    });
  });

  it("answers RETRY when the database is unreachable, so Dapr delivers it again", async () => {
    const down = createTestApp(onTaskCompleted, createOnTaskCompletedHandler, createTestRuntime(createUnreachableDatabase()));
    expect(await deliver(down, ROUTE, completedEvent(taskJson({ dueAt: "2030-01-01T09:00:00.000Z", recurrence: "FREQ=DAILY" })))).toBe("RETRY");
  });

  it("a delivery that failed with RETRY is processed in full when redelivered", async () => {
    const completed = taskJson({ dueAt: "2030-01-01T09:00:00.000Z", recurrence: "FREQ=DAILY" });
    const event = completedEvent(completed);
    const down = createTestApp(onTaskCompleted, createOnTaskCompletedHandler, createTestRuntime(createUnreachableDatabase()));
    expect(await deliver(down, ROUTE, event)).toBe("RETRY");
    expect(await deliver(app, ROUTE, event)).toBe("SUCCESS");
    expect(await instancesOf(completed.seriesId)).toHaveLength(1);
  });
});
