import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { countRows, createTestDatabase, type TestDatabase } from "../../test/database.js";
import { createTaskApi, publishedOfType, type TaskApi } from "../../test/fixtures.js";
import { expectProblem } from "../../test/problems.js";

let database: TestDatabase;
let api: TaskApi;
beforeAll(async () => {
  database = await createTestDatabase();
  api = createTaskApi(database.db);
});
afterAll(() => database.drop());

describe("deleteTask", () => {
  it("answers 204 with no body, and the task is gone: 404 afterwards", async () => {
    const task = await api.newTask("alice");
    const res = await api.delete("alice", task.id);
    expect(res.status).toBe(204);
    expect(await res.text()).toBe("");
    await expectProblem(await api.get("alice", task.id), 404);
    expect(await database.db.task.findUnique({ where: { id: task.id } })).toBeNull();
  });

  it("answers 404 when deleting it again, and emits nothing the second time", async () => {
    const task = await api.newTask("alice");
    await api.delete("alice", task.id);
    const published = api.dapr.published.length;
    await expectProblem(await api.delete("alice", task.id), 404);
    expect(api.dapr.published).toHaveLength(published);
  });

  it("emits task.deleted with the id and the owner, keyed by the owner", async () => {
    const task = await api.newTask("alice");
    await api.delete("alice", task.id);
    const deleted = publishedOfType(api.dapr, "task.deleted").filter((e) => e.subject === task.id);
    expect(deleted).toHaveLength(1);
    expect(deleted[0]).toMatchObject({ data: { id: task.id, userId: "alice" }, partitionkey: "alice", source: "/taskfn/deleteTask" });
    expect(api.dapr.published.at(-1)).toMatchObject({ topic: "tasks", partitionKey: "alice" });
  });

  it("answers 404 for a task that never existed and changes nothing", async () => {
    const before = await countRows(database.db);
    await expectProblem(await api.delete("alice", randomUUID()), 404);
    expect(await countRows(database.db)).toEqual(before);
  });

  it("cannot delete another user's task: 404 under your own path, and it survives", async () => {
    const bobs = await api.newTask("bob");
    await expectProblem(await api.delete("alice", bobs.id), 404);
    await expectProblem(await api.delete("alice", bobs.id, "bob"), 403);
    expect((await api.get("bob", bobs.id)).status).toBe(200);
  });
});
