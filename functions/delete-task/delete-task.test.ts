import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { countRows } from "../../test/database.js";
import { publishedOfType, useTaskApi } from "../../test/fixtures.js";
import { expectProblem } from "../../test/problems.js";

const ctx = useTaskApi();

describe("deleteTask", () => {
  it("answers 204 with no body, and the task is gone: 404 afterwards", async () => {
    const task = await ctx.api.newTask("alice");
    const res = await ctx.api.delete("alice", task.id);
    expect(res.status).toBe(204);
    expect(await res.text()).toBe("");
    await expectProblem(await ctx.api.get("alice", task.id), 404);
    expect(await ctx.database.prisma.task.findUnique({ where: { id: task.id } })).toBeNull();
  });

  it("answers 404 when deleting it again, and emits nothing the second time", async () => {
    const task = await ctx.api.newTask("alice");
    await ctx.api.delete("alice", task.id);
    const published = ctx.api.dapr.published.length;
    await expectProblem(await ctx.api.delete("alice", task.id), 404);
    expect(ctx.api.dapr.published).toHaveLength(published);
  });

  it("emits task.deleted with the id and the owner, keyed by the owner", async () => {
    const task = await ctx.api.newTask("alice");
    await ctx.api.delete("alice", task.id);
    const deleted = publishedOfType(ctx.api.dapr, "task.deleted").filter((e) => e.subject === task.id);
    expect(deleted).toHaveLength(1);
    expect(deleted[0]).toMatchObject({ data: { id: task.id, userId: "alice" }, partitionkey: "alice", source: "/taskfn/deleteTask" });
    expect(ctx.api.dapr.published.at(-1)).toMatchObject({ topic: "tasks", partitionKey: "alice" });
  });

  it("answers 404 for a task that never existed and changes nothing", async () => {
    const before = await countRows(ctx.database.prisma);
    await expectProblem(await ctx.api.delete("alice", randomUUID()), 404);
    expect(await countRows(ctx.database.prisma)).toEqual(before);
  });

  it("cannot delete another user's task: 404 under your own path, and it survives", async () => {
    const bobs = await ctx.api.newTask("bob");
    await expectProblem(await ctx.api.delete("alice", bobs.id), 404);
    await expectProblem(await ctx.api.delete("alice", bobs.id, "bob"), 403);
    expect((await ctx.api.get("bob", bobs.id)).status).toBe(200);
  });
});
