import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../../test/database.js";
import { createTaskApi, type TaskApi } from "../../test/fixtures.js";
import { expectProblem } from "../../test/problems.js";

let database: TestDatabase;
let api: TaskApi;
beforeAll(async () => {
  database = await createTestDatabase();
  api = createTaskApi(database.db);
});
afterAll(() => database.drop());

describe("getTask", () => {
  it("answers 200 with the task as createTask returned it", async () => {
    const task = await api.newTask("alice", { title: "Read", tags: ["books"], dueAt: "2030-01-01T09:00:00Z" });
    const res = await api.get("alice", task.id);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/json");
    expect(await res.json()).toEqual(task);
  });

  it("answers 404 problem+json for a task that does not exist", async () => {
    const missing = randomUUID();
    const problem = await expectProblem(await api.get("alice", missing), 404);
    expect(problem.detail).toBe(`Task ${missing} does not exist.`);
  });

  it("answers 404, not 403, for another user's task under your own path: its existence is not revealed", async () => {
    const bobs = await api.newTask("bob", { title: "Bob's secret" });
    const problem = await expectProblem(await api.get("alice", bobs.id), 404);
    expect(JSON.stringify(problem)).not.toContain("Bob's secret");
    expect((await api.get("bob", bobs.id)).status).toBe(200);
  });

  it("answers 403 when asking for another user's path", async () => {
    const bobs = await api.newTask("bob", { title: "Bob's" });
    await expectProblem(await api.get("alice", bobs.id, "bob"), 403);
  });

  it("changes nothing and emits nothing", async () => {
    const task = await api.newTask("alice");
    const published = api.dapr.published.length;
    await api.get("alice", task.id);
    expect(api.dapr.published).toHaveLength(published);
    expect(await database.db.task.findUniqueOrThrow({ where: { id: task.id } })).toMatchObject({ updatedAt: new Date(task.updatedAt) });
  });
});
