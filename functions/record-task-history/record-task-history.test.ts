import { describe, expect, it } from "vitest";
import { subscriberPath } from "../../runtime/topic-trigger.js";
import { createUnreachableDatabase } from "../../test/database.js";
import { DAPR_DELIVERY_FIELDS, deliver } from "../../test/events.js";
import { useTaskApi } from "../../test/fixtures.js";
import { createTestApp, createTestRuntime } from "../../test/runtime.js";
import { recordTaskHistory } from "./definition.js";
import { createRecordTaskHistoryHandler } from "./handler.js";

const ROUTE = subscriberPath(recordTaskHistory.trigger);

const ctx = useTaskApi(recordTaskHistory, createRecordTaskHistoryHandler, ({ database }) => createTestRuntime(database.db));

/** Every event the API published about `taskId`, as Dapr would deliver it. */
const eventsOf = (taskId: string) =>
  ctx.api.dapr.published.filter((p) => p.cloudEvent.subject === taskId).map((p) => ({ ...p.cloudEvent, ...DAPR_DELIVERY_FIELDS, topic: "tasks" }));
const historyOf = (taskId: string) => ctx.database.prisma.taskHistory.findMany({ where: { taskId }, orderBy: { seq: "asc" } });

describe("recordTaskHistory", () => {
  it("subscribes to every event type of the tasks topic under its own app id, which is its own Kafka consumer group", () => {
    expect(Object.keys(recordTaskHistory.trigger.events).sort()).toEqual(["task.completed", "task.created", "task.deleted", "task.reopened", "task.updated"]);
    expect(recordTaskHistory.appId).toBe("record-task-history");
    expect(recordTaskHistory.trigger).toMatchObject({ topic: "tasks", deadLetterTopic: "tasks-dlq" });
  });

  it("appends one entry per event with what it changed, and keeps them after the task is deleted", async () => {
    const task = await ctx.api.newTask("alice", { title: "Draft", tags: ["work"], dueAt: "2030-01-01T09:00:00Z" });
    expect((await ctx.api.update("alice", task.id, { title: "Final", priority: "high" })).status).toBe(200);
    expect((await ctx.api.complete("alice", task.id)).status).toBe(200);
    expect((await ctx.api.delete("alice", task.id)).status).toBe(204);
    const events = eventsOf(task.id);
    for (const event of events) expect(await deliver(ctx.app, ROUTE, event)).toBe("SUCCESS");

    const history = await historyOf(task.id);
    expect(history.map((h) => [h.eventId, h.type, h.userId])).toEqual(events.map((e) => [e.id, e.type, "alice"]));
    expect(history.map((h) => h.occurredAt.toISOString())).toEqual(events.map((e) => e.time));
    const [created, updated, completed, deleted] = history.map((h) => h.changes);
    expect(created).toEqual({
      title: { from: null, to: "Draft" },
      priority: { from: null, to: "medium" },
      tags: { from: null, to: ["work"] },
      dueAt: { from: null, to: "2030-01-01T09:00:00.000Z" },
      timeZone: { from: null, to: "UTC" },
    });
    expect(updated).toEqual({ title: { from: "Draft", to: "Final" }, priority: { from: "medium", to: "high" } });
    expect(completed).toEqual({ completed: { from: false, to: true }, completedAt: { from: null, to: expect.any(String) } });
    expect(deleted).toEqual({});
    expect(await ctx.database.prisma.task.count({ where: { id: task.id } })).toBe(0);
  });

  it("records a reopen as completed going back to false", async () => {
    const task = await ctx.api.newTask("alice");
    expect((await ctx.api.complete("alice", task.id)).status).toBe(200);
    expect((await ctx.api.reopen("alice", task.id)).status).toBe(200);
    for (const event of eventsOf(task.id)) expect(await deliver(ctx.app, ROUTE, event)).toBe("SUCCESS");
    const history = await historyOf(task.id);
    expect(history.map((h) => h.type)).toEqual(["task.created", "task.completed", "task.reopened"]);
    expect(history[2]!.changes).toEqual({ completed: { from: true, to: false } });
  });

  it("adds nothing for a redelivered event", async () => {
    const task = await ctx.api.newTask("alice");
    const [created] = eventsOf(task.id);
    expect(await deliver(ctx.app, ROUTE, created)).toBe("SUCCESS");
    expect(await deliver(ctx.app, ROUTE, created)).toBe("SUCCESS");
    expect(await historyOf(task.id)).toHaveLength(1);
  });

  it("adds nothing for the same event id seen by another consumer's marker only: the unique event id holds on its own", async () => {
    const task = await ctx.api.newTask("alice");
    const [created] = eventsOf(task.id);
    const replica = createTestApp(
      { ...recordTaskHistory, appId: "record-task-history-other" },
      createRecordTaskHistoryHandler,
      createTestRuntime(ctx.database.db),
    );
    expect(await deliver(ctx.app, ROUTE, created)).toBe("SUCCESS");
    expect(await deliver(replica, ROUTE, created)).toBe("SUCCESS");
    expect(await historyOf(task.id)).toHaveLength(1);
  });

  it("drops an event whose data does not match its type, recording nothing", async () => {
    const task = await ctx.api.newTask("alice");
    const [created] = eventsOf(task.id);
    expect(await deliver(ctx.app, ROUTE, { ...created, id: "broken-1", data: { id: task.id } })).toBe("DROP");
    expect(await ctx.database.prisma.taskHistory.count({ where: { eventId: "broken-1" } })).toBe(0);
  });

  it("answers RETRY when the database is unreachable, so Dapr delivers the event again", async () => {
    const task = await ctx.api.newTask("alice");
    const down = createTestApp(recordTaskHistory, createRecordTaskHistoryHandler, createTestRuntime(createUnreachableDatabase()));
    expect(await deliver(down, ROUTE, eventsOf(task.id)[0])).toBe("RETRY");
  });
});
