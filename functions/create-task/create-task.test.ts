import { describe, expect, it } from "vitest";
import { z } from "zod";
import { TaskJson } from "../../tasks/task-schema.js";
import { createTaskApi, publishedOfType, useTaskApi } from "../../test/fixtures.js";
import { expectFieldProblem } from "../../test/problems.js";
import { authHeaders, createRecordingDapr, createTestApp, createTestRuntime } from "../../test/runtime.js";
import { createTask } from "./definition.js";
import { createCreateTaskHandler } from "./handler.js";

const ctx = useTaskApi();

describe("createTask", () => {
  it("answers 201 with the task and a Location, and publishes task.created with the outbox id", async () => {
    const dapr = createRecordingDapr();
    const app = createTestApp(createTask, createCreateTaskHandler, createTestRuntime(ctx.database.db, dapr));
    const res = await app.request("/api/alice/tasks", { method: "POST", headers: await authHeaders("alice"), body: JSON.stringify({ title: "Water plants" }) });
    expect(res.status).toBe(201);
    const task = (await res.json()) as TaskJson;
    expect(task).toMatchObject({ title: "Water plants", userId: "alice", priority: "medium", tags: [], completed: false, occurrence: 1 });
    expect(res.headers.get("location")).toBe(`/api/alice/tasks/${task.id}`);
    expect(dapr.published).toHaveLength(1);
    const [outbox] = await ctx.database.prisma.outboxEvent.findMany({ where: { id: dapr.published[0]!.cloudEvent.id } });
    expect(outbox?.publishedAt).not.toBeNull();
    expect(dapr.published[0]).toMatchObject({
      topic: "tasks",
      partitionKey: "alice",
      cloudEvent: { type: "task.created", source: "/taskfn/createTask", subject: task.id, partitionkey: "alice" },
    });
  });

  it("answers with a task that matches the published schema, with defaults filled in", async () => {
    const task = await ctx.api.newTask("alice", { title: "Plain" });
    expect(TaskJson.parse(task)).toEqual(task);
    expect(task).toMatchObject({
      description: null,
      priority: "medium",
      tags: [],
      dueAt: null,
      remindAt: null,
      recurrence: null,
      completed: false,
      completedAt: null,
      occurrence: 1,
    });
    expect(z.uuid().safeParse(task.id).success).toBe(true);
  });

  it("starts a new series: seriesId is the task's own id and occurrence is 1", async () => {
    const task = await ctx.api.newTask("alice", { title: "Standup", dueAt: "2030-01-07T09:00:00Z", recurrence: "FREQ=WEEKLY;BYDAY=MO" });
    expect(task.seriesId).toBe(task.id);
    expect(task.occurrence).toBe(1);
    expect(task.recurrence).toBe("FREQ=WEEKLY;BYDAY=MO");
  });

  it("stores every given field and normalises instants to UTC", async () => {
    const task = await ctx.api.newTask("alice", {
      title: "Dentist",
      description: "Bring the form",
      priority: "high",
      tags: ["health", "errand"],
      dueAt: "2030-03-01T10:00:00+01:00",
      remindAt: "2030-03-01T08:30:00Z",
    });
    expect(task).toMatchObject({
      description: "Bring the form",
      priority: "high",
      tags: ["health", "errand"],
      dueAt: "2030-03-01T09:00:00.000Z",
      remindAt: "2030-03-01T08:30:00.000Z",
    });
    const stored = await ctx.database.prisma.task.findUniqueOrThrow({ where: { id: task.id } });
    expect(stored).toMatchObject({ userId: "alice", title: "Dentist", reminderSentAt: null });
  });

  describe("timeZone", () => {
    it("defaults to UTC and is stored in its proper case", async () => {
      expect((await ctx.api.newTask("alice", { title: "Zoneless" })).timeZone).toBe("UTC");
      const task = await ctx.api.newTask("alice", { title: "Berlin", dueAt: "2030-01-07T08:00:00Z", recurrence: "FREQ=DAILY", timeZone: "europe/berlin" });
      expect(task.timeZone).toBe("Europe/Berlin");
      expect(task.dueAt).toBe("2030-01-07T08:00:00.000Z");
      expect((await ctx.database.prisma.task.findUniqueOrThrow({ where: { id: task.id } })).timeZone).toBe("Europe/Berlin");
    });

    it.each(["Mars/Olympus_Mons", "+01:00", "", 7, null])("%j → 400 naming body.timeZone, nothing stored", async (timeZone) => {
      const before = await ctx.database.prisma.task.count();
      await expectFieldProblem(
        await ctx.api.create("alice", { title: "Nowhere", dueAt: "2030-01-07T08:00:00Z", recurrence: "FREQ=DAILY", timeZone }),
        "body.timeZone",
      );
      expect(await ctx.database.prisma.task.count()).toBe(before);
    });
  });

  it("a recurring task whose dueAt is no instant → 400 naming body.dueAt, not a failed expansion", async () => {
    await expectFieldProblem(await ctx.api.create("alice", { title: "Far", dueAt: "+010000-01-01T00:00:00.000Z", recurrence: "FREQ=DAILY" }), "body.dueAt");
  });

  it("treats null optional fields as absent", async () => {
    const task = await ctx.api.newTask("alice", { title: "Nulls", description: null, dueAt: null, remindAt: null, recurrence: null });
    expect(task).toMatchObject({ description: null, dueAt: null, remindAt: null, recurrence: null });
  });

  it("Location leads to the task through getTask's path", async () => {
    const res = await ctx.api.create("alice", { title: "Find me" });
    const task = (await res.json()) as TaskJson;
    const location = res.headers.get("location")!;
    expect(location).toBe(`/api/alice/tasks/${task.id}`);
    expect(await (await ctx.api.get("alice", location.split("/").pop()!)).json()).toEqual(task);
  });

  it("escapes the user id in Location", async () => {
    const res = await ctx.api.create("alice smith", { title: "Spaces" });
    expect(res.status).toBe(201);
    expect(res.headers.get("location")).toMatch(/^\/api\/alice%20smith\/tasks\/[0-9a-f-]{36}$/);
  });

  it("publishes the created task as the event's data, once", async () => {
    const dapr = createRecordingDapr();
    const own = createTaskApi(ctx.database.db, dapr);
    const task = await own.newTask("bob", { title: "Event data" });
    const events = publishedOfType(dapr, "task.created");
    expect(events).toHaveLength(1);
    expect(events[0]!.data).toEqual(task);
  });
});
