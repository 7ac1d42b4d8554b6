import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { TaskJson } from "../../tasks/task-schema.js";
import { countRows } from "../../test/database.js";
import { type Body, publishedOfType, useTaskApi } from "../../test/fixtures.js";
import { expectFieldProblem, expectProblem } from "../../test/problems.js";

const ctx = useTaskApi();

async function patched(task: TaskJson, body: Body): Promise<TaskJson> {
  const res = await ctx.api.update(task.userId, task.id, body);
  expect(res.status, await res.clone().text()).toBe(200);
  return (await res.json()) as TaskJson;
}

const full = {
  title: "Dentist",
  description: "Bring the form",
  priority: "high",
  tags: ["health"],
  dueAt: "2030-03-01T09:00:00Z",
  remindAt: "2030-03-01T08:00:00Z",
  recurrence: "FREQ=YEARLY",
};

describe("updateTask", () => {
  it("changes only the fields given and keeps the rest", async () => {
    const task = await ctx.api.newTask("alice", full);
    const updated = await patched(task, { title: "Dentist (moved)", priority: "low" });
    expect(updated).toEqual({ ...task, title: "Dentist (moved)", priority: "low", updatedAt: updated.updatedAt });
    expect(Date.parse(updated.updatedAt)).toBeGreaterThanOrEqual(Date.parse(task.updatedAt));
    expect(await (await ctx.api.get("alice", task.id)).json()).toEqual(updated);
  });

  it("clears optional fields given as null", async () => {
    const task = await ctx.api.newTask("alice", full);
    const updated = await patched(task, { description: null, remindAt: null, recurrence: null });
    expect(updated).toMatchObject({ description: null, remindAt: null, recurrence: null, dueAt: task.dueAt, title: task.title });
  });

  it("replaces tags as a whole", async () => {
    const task = await ctx.api.newTask("alice", { title: "Tagged", tags: ["a", "b"] });
    expect((await patched(task, { tags: ["c"] })).tags).toEqual(["c"]);
    expect((await patched(task, { tags: [] })).tags).toEqual([]);
  });

  it("emits task.updated with the updated task", async () => {
    const task = await ctx.api.newTask("alice", { title: "Before" });
    const updated = await patched(task, { title: "After" });
    const events = publishedOfType(ctx.api.dapr, "task.updated").filter((e) => e.subject === task.id);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ source: "/taskfn/updateTask", partitionkey: "alice", data: updated });
  });

  it("makes a task recurring when given a recurrence and a dueAt together", async () => {
    const task = await ctx.api.newTask("alice", { title: "Soon recurring" });
    expect(await patched(task, { recurrence: "FREQ=DAILY", dueAt: "2030-01-01T09:00:00Z" })).toMatchObject({
      recurrence: "FREQ=DAILY",
      dueAt: "2030-01-01T09:00:00.000Z",
    });
  });

  it("makes a task recurring with a recurrence alone when it already has a dueAt", async () => {
    const task = await ctx.api.newTask("alice", { title: "Has due", dueAt: "2030-01-01T09:00:00Z" });
    expect((await patched(task, { recurrence: "FREQ=WEEKLY" })).recurrence).toBe("FREQ=WEEKLY");
  });

  it("changes the time zone the recurrence is expanded in", async () => {
    const task = await ctx.api.newTask("alice", { title: "Moves", dueAt: "2030-01-01T09:00:00Z", recurrence: "FREQ=DAILY" });
    expect((await patched(task, { timeZone: "America/New_York" })).timeZone).toBe("America/New_York");
  });

  describe("refuses, changing nothing", () => {
    it("an unknown time zone → 400 naming body.timeZone", async () => {
      const task = await ctx.api.newTask("alice", full);
      await refused(task, { timeZone: "Europe/Atlantis" }, "body.timeZone");
      await refused(task, { timeZone: null }, "body.timeZone");
    });

    async function refused(task: TaskJson, body: unknown, field: string) {
      const before = await countRows(ctx.database.prisma);
      const stored = await ctx.database.prisma.task.findUniqueOrThrow({ where: { id: task.id } });
      const res = await ctx.api.update(task.userId, task.id, body as Body);
      await expectFieldProblem(res, field);
      expect(await countRows(ctx.database.prisma)).toEqual(before);
      expect(await ctx.database.prisma.task.findUniqueOrThrow({ where: { id: task.id } })).toEqual(stored);
    }

    it("a recurrence on a task without dueAt → 400 naming body.dueAt", async () => {
      const task = await ctx.api.newTask("alice", { title: "No due" });
      await refused(task, { recurrence: "FREQ=DAILY" }, "body.dueAt");
    });

    it("clearing the dueAt of a recurring task → 400 naming body.dueAt", async () => {
      const task = await ctx.api.newTask("alice", full);
      await refused(task, { dueAt: null }, "body.dueAt");
    });

    it("a bad RRULE → 400 naming body.recurrence", async () => {
      const task = await ctx.api.newTask("alice", full);
      await refused(task, { recurrence: "FREQ=DAILY;BYDAY=XX" }, "body.recurrence");
    });

    it("a recurrence with no occurrence within the horizon → 400 naming body.recurrence", async () => {
      const task = await ctx.api.newTask("alice", full);
      await refused(task, { recurrence: "FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30" }, "body.recurrence");
    });

    it("a dueAt from which the rule never occurs (an HOURLY step that misses its BYHOUR) → 400 naming body.recurrence", async () => {
      const task = await ctx.api.newTask("alice", { ...full, dueAt: "2030-03-01T10:00:00Z", remindAt: null, recurrence: "FREQ=HOURLY;INTERVAL=2;BYHOUR=10" });
      await refused(task, { dueAt: "2030-03-01T09:00:00Z" }, "body.recurrence");
    });

    it("an empty patch → 400", async () => {
      const task = await ctx.api.newTask("alice");
      await refused(task, {}, "body");
    });

    it("a null title (title is required) → 400 naming body.title", async () => {
      const task = await ctx.api.newTask("alice");
      await refused(task, { title: null }, "body.title");
    });

    it("an unknown or server-owned field → 400 naming it", async () => {
      const task = await ctx.api.newTask("alice");
      await refused(task, { completed: true }, "body.completed");
      await refused(task, { occurrence: 5 }, "body.occurrence");
      await refused(task, { userId: "mallory" }, "body.userId");
    });
  });

  it("answers 404 for a missing task and for another user's task, which stays as it was", async () => {
    const bobs = await ctx.api.newTask("bob", { title: "Bob's" });
    await expectProblem(await ctx.api.update("alice", randomUUID(), { title: "x" }), 404);
    await expectProblem(await ctx.api.update("alice", bobs.id, { title: "Hijacked" }), 404);
    await expectProblem(await ctx.api.update("alice", bobs.id, { title: "Hijacked" }, "bob"), 403);
    expect(await (await ctx.api.get("bob", bobs.id)).json()).toEqual(bobs);
  });

  describe("the reminder", () => {
    const sentAt = new Date("2029-12-31T00:00:00Z");
    async function sentReminder(): Promise<TaskJson> {
      const task = await ctx.api.newTask("alice", { title: "Remind me", dueAt: "2030-01-01T09:00:00Z", remindAt: "2030-01-01T08:00:00Z" });
      await ctx.database.prisma.task.update({ where: { id: task.id }, data: { reminderSentAt: sentAt } });
      return task;
    }
    const reminderSentAt = async (id: string) => (await ctx.database.prisma.task.findUniqueOrThrow({ where: { id } })).reminderSentAt;

    it("is due again when remindAt changes, even if it was sent", async () => {
      const task = await sentReminder();
      await patched(task, { remindAt: "2030-01-01T08:30:00Z" });
      expect(await reminderSentAt(task.id)).toBeNull();
    });

    it("stays sent when remindAt is given unchanged or other fields change", async () => {
      const task = await sentReminder();
      await patched(task, { remindAt: "2030-01-01T08:00:00.000Z" });
      await patched(task, { title: "Renamed" });
      expect(await reminderSentAt(task.id)).toEqual(sentAt);
    });

    it("is reset when remindAt is cleared", async () => {
      const task = await sentReminder();
      await patched(task, { remindAt: null });
      expect(await reminderSentAt(task.id)).toBeNull();
    });
  });
});
