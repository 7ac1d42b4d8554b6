import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { useTaskApi } from "../../test/fixtures.js";
import { expectProblem } from "../../test/problems.js";

const ctx = useTaskApi();

describe("getTask", () => {
  it("answers 200 with the task as createTask returned it", async () => {
    const task = await ctx.api.newTask("alice", { title: "Read", tags: ["books"], dueAt: "2030-01-01T09:00:00Z" });
    const res = await ctx.api.get("alice", task.id);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/json");
    expect(await res.json()).toEqual(task);
  });

  it("answers 404 problem+json for a task that does not exist", async () => {
    const missing = randomUUID();
    const problem = await expectProblem(await ctx.api.get("alice", missing), 404);
    expect(problem.detail).toBe(`Task ${missing} does not exist.`);
  });

  it("answers 404, not 403, for another user's task under your own path: its existence is not revealed", async () => {
    const bobs = await ctx.api.newTask("bob", { title: "Bob's secret" });
    const problem = await expectProblem(await ctx.api.get("alice", bobs.id), 404);
    expect(JSON.stringify(problem)).not.toContain("Bob's secret");
    expect((await ctx.api.get("bob", bobs.id)).status).toBe(200);
  });

  it("answers 403 when asking for another user's path", async () => {
    const bobs = await ctx.api.newTask("bob", { title: "Bob's" });
    await expectProblem(await ctx.api.get("alice", bobs.id, "bob"), 403);
  });

  it("changes nothing and emits nothing", async () => {
    const task = await ctx.api.newTask("alice");
    const published = ctx.api.dapr.published.length;
    await ctx.api.get("alice", task.id);
    expect(ctx.api.dapr.published).toHaveLength(published);
    expect(await ctx.database.prisma.task.findUniqueOrThrow({ where: { id: task.id } })).toMatchObject({ updatedAt: new Date(task.updatedAt) });
  });
});
