import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TaskJson } from "../../tasks/task-schema.js";
import { createTestDatabase, type TestDatabase } from "../../test/database.js";
import { authHeaders, createRecordingDapr, createTestApp, createTestRuntime } from "../../test/runtime.js";
import { createTask } from "./definition.js";
import { createCreateTaskHandler } from "./handler.js";

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(() => database.drop());

describe("createTask", () => {
  it("answers 201 with the task and a Location, and publishes task.created with the outbox id", async () => {
    const dapr = createRecordingDapr();
    const app = createTestApp(createTask, createCreateTaskHandler, createTestRuntime(database.db, dapr));
    const res = await app.request("/api/alice/tasks", { method: "POST", headers: await authHeaders("alice"), body: JSON.stringify({ title: "Water plants" }) });
    expect(res.status).toBe(201);
    const task = (await res.json()) as TaskJson;
    expect(task).toMatchObject({ title: "Water plants", userId: "alice", priority: "medium", tags: [], completed: false, occurrence: 1 });
    expect(res.headers.get("location")).toBe(`/api/alice/tasks/${task.id}`);
    expect(dapr.published).toHaveLength(1);
    const [outbox] = await database.db.outboxEvent.findMany({ where: { id: dapr.published[0]!.cloudEvent.id } });
    expect(outbox?.publishedAt).not.toBeNull();
    expect(dapr.published[0]).toMatchObject({ topic: "tasks", partitionKey: "alice", cloudEvent: { type: "task.created", source: "/taskfn/createTask", subject: task.id, partitionkey: "alice" } });
  });
});
