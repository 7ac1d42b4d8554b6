import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { TaskJson } from "../../tasks/task-schema.js";
import { countRows } from "../../test/database.js";
import { publishedOfType, useTaskApi } from "../../test/fixtures.js";
import { expectProblem } from "../../test/problems.js";

const ctx = useTaskApi();

const completedOf = (id: string) => publishedOfType(ctx.api.dapr, "task.completed").filter((e) => e.subject === id);

describe("completeTask", () => {
  it("answers 200 with the task completed, stamped with completedAt", async () => {
    const task = await ctx.api.newTask("alice", { title: "Call mum" });
    const before = Date.now();
    const res = await ctx.api.complete("alice", task.id);
    expect(res.status).toBe(200);
    const done = (await res.json()) as TaskJson;
    expect(done).toMatchObject({ id: task.id, title: "Call mum", completed: true });
    expect(Date.parse(done.completedAt!)).toBeGreaterThanOrEqual(before - 5);
    expect(done.updatedAt).toBe(done.completedAt);
  });

  it("emits task.completed once, with the completed task as data", async () => {
    const task = await ctx.api.newTask("alice", { title: "Recurring", dueAt: "2030-01-01T09:00:00Z", recurrence: "FREQ=DAILY" });
    const done = (await (await ctx.api.complete("alice", task.id)).json()) as TaskJson;
    const events = completedOf(task.id);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ type: "task.completed", source: "/taskfn/completeTask", partitionkey: "alice", data: done });
  });

  it("completing it again answers 200 with the task unchanged and emits nothing", async () => {
    const task = await ctx.api.newTask("alice");
    const first = (await (await ctx.api.complete("alice", task.id)).json()) as TaskJson;
    const before = await countRows(ctx.database.prisma);
    const res = await ctx.api.complete("alice", task.id);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual(first);
    expect(completedOf(task.id)).toHaveLength(1);
    expect(await countRows(ctx.database.prisma)).toEqual(before);
  });

  it("completes once when two completions race: one event, one completedAt", async () => {
    const task = await ctx.api.newTask("alice");
    const answers = await Promise.all([ctx.api.complete("alice", task.id), ctx.api.complete("alice", task.id)]);
    const bodies = (await Promise.all(answers.map((r) => r.json()))) as TaskJson[];
    expect(answers.map((r) => r.status)).toEqual([200, 200]);
    expect(bodies[0]!.completedAt).toBe(bodies[1]!.completedAt);
    expect(completedOf(task.id)).toHaveLength(1);
  });

  it("answers 404 for a missing task and for another user's task, changing nothing", async () => {
    const bobs = await ctx.api.newTask("bob");
    const before = await countRows(ctx.database.prisma);
    await expectProblem(await ctx.api.complete("alice", randomUUID()), 404);
    await expectProblem(await ctx.api.complete("alice", bobs.id), 404);
    expect(await countRows(ctx.database.prisma)).toEqual(before);
    expect(await (await ctx.api.get("bob", bobs.id)).json()).toMatchObject({ completed: false });
  });

  it("moves the task from the open list to the completed list", async () => {
    const task = await ctx.api.newTask("carol");
    await ctx.api.complete("carol", task.id);
    const open = (await (await ctx.api.list("carol")).json()) as { items: TaskJson[] };
    const completed = (await (await ctx.api.list("carol", { status: "completed" })).json()) as { items: TaskJson[] };
    expect(open.items.map((t) => t.id)).not.toContain(task.id);
    expect(completed.items.map((t) => t.id)).toContain(task.id);
  });
});
