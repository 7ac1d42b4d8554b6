import { describe, expect, it } from "vitest";
import { taskJson } from "../test/events.js";
import { DEAD_LETTER_TOPICS, EVENT_TYPES, ReminderDueData, TASK_EVENTS, TaskDeletedData, taskfnEvent, TOPICS } from "./events.js";
import { TaskJson } from "./task-schema.js";

const task = taskJson({ userId: "alice", dueAt: "2025-06-02T09:00:00.000Z", recurrence: "FREQ=DAILY" });
const reminder = { taskId: task.id, userId: "alice", title: "Water plants", dueAt: "2025-06-02T09:00:00.000Z", remindAt: "2025-06-02T08:45:00.000Z" };

describe("event types", () => {
  it("are exactly the six taskfn publishes, task events on `tasks` and reminders on `reminders`", () => {
    expect(Object.fromEntries(Object.entries(EVENT_TYPES).map(([type, { topic }]) => [type, topic]))).toEqual({
      "task.created": "tasks",
      "task.updated": "tasks",
      "task.completed": "tasks",
      "task.reopened": "tasks",
      "task.deleted": "tasks",
      "reminder.due": "reminders",
    });
  });

  it("have a dead-letter topic for every topic", () => {
    expect(Object.keys(DEAD_LETTER_TOPICS).sort()).toEqual(Object.keys(TOPICS).sort());
    expect(DEAD_LETTER_TOPICS).toEqual({ tasks: "tasks-dlq", reminders: "reminders-dlq" });
  });

  it.each(["task.created", "task.completed", "task.reopened"] as const)("%s carries the whole task as the API shows it", (type) => {
    expect(EVENT_TYPES[type].data).toBe(TaskJson);
    expect(TaskJson.safeParse(task).success).toBe(true);
  });

  it("task.updated carries the whole task and what the update changed, field by field", () => {
    const changes = { title: { from: "a", to: "b" }, tags: { from: [], to: ["x"] }, dueAt: { from: "2030-01-01T00:00:00.000Z", to: null } };
    expect(EVENT_TYPES["task.updated"].data.parse({ ...task, changes })).toEqual({ ...task, changes });
    expect(EVENT_TYPES["task.updated"].data.safeParse(task).success).toBe(false);
    expect(EVENT_TYPES["task.updated"].data.safeParse({ ...task, changes: { id: { from: "a", to: "b" } } }).success).toBe(false);
  });

  it("TASK_EVENTS is every type on the tasks topic with its data schema", () => {
    expect(Object.keys(TASK_EVENTS).sort()).toEqual(["task.completed", "task.created", "task.deleted", "task.reopened", "task.updated"]);
    for (const [type, schema] of Object.entries(TASK_EVENTS)) expect(schema).toBe(EVENT_TYPES[type as keyof typeof EVENT_TYPES].data);
  });

  it("task.deleted carries only the id and the owner", () => {
    expect(TaskDeletedData.parse({ id: task.id, userId: "alice" })).toEqual({ id: task.id, userId: "alice" });
    expect(TaskDeletedData.safeParse({ id: "not-a-uuid", userId: "alice" }).success).toBe(false);
    expect(TaskDeletedData.safeParse({ id: task.id }).success).toBe(false);
  });

  it("reminder.due carries the task, its owner, title, dueAt (or null) and remindAt", () => {
    expect(ReminderDueData.parse(reminder)).toEqual(reminder);
    expect(ReminderDueData.parse({ ...reminder, dueAt: null }).dueAt).toBeNull();
    expect(ReminderDueData.safeParse({ ...reminder, remindAt: null }).success).toBe(false);
    expect(ReminderDueData.safeParse({ ...reminder, remindAt: "tomorrow" }).success).toBe(false);
  });

  it("TaskJson requires UTC timestamps, a uuid id and series id, and occurrence ≥ 1", () => {
    expect(TaskJson.safeParse({ ...task, dueAt: "2025-06-02 09:00" }).success).toBe(false);
    expect(TaskJson.safeParse({ ...task, seriesId: "series-1" }).success).toBe(false);
    expect(TaskJson.safeParse({ ...task, occurrence: 0 }).success).toBe(false);
    expect(TaskJson.safeParse({ ...task, priority: "urgent" }).success).toBe(false);
  });
});

describe("taskfnEvent", () => {
  it("puts a task event on the tasks topic, keyed by the user so one user's events stay in order", () => {
    expect(taskfnEvent("task.completed", task.id, "alice", task)).toEqual({
      topic: "tasks",
      type: "task.completed",
      subject: task.id,
      partitionKey: "alice",
      data: task,
    });
  });

  it("puts reminder.due on the reminders topic", () => {
    expect(taskfnEvent("reminder.due", task.id, "alice", reminder)).toMatchObject({
      topic: "reminders",
      type: "reminder.due",
      partitionKey: "alice",
      data: reminder,
    });
  });

  it("puts task.deleted on the tasks topic with only id and userId", () => {
    expect(taskfnEvent("task.deleted", task.id, "alice", { id: task.id, userId: "alice" })).toMatchObject({
      topic: "tasks",
      data: { id: task.id, userId: "alice" },
    });
  });

  it("refuses data that does not match the type's schema, so it never reaches the outbox", () => {
    expect(() => taskfnEvent("task.created", task.id, "alice", { ...task, title: undefined } as never)).toThrow();
    expect(() => taskfnEvent("task.deleted", task.id, "alice", { id: "nope", userId: "alice" })).toThrow();
    expect(() => taskfnEvent("reminder.due", task.id, "alice", { ...reminder, remindAt: "soon" })).toThrow();
    // A task where a reminder is expected is not a reminder.
    expect(() => taskfnEvent("reminder.due", task.id, "alice", task as never)).toThrow();
  });

  it("drops fields the schema does not know instead of publishing them", () => {
    const draft = taskfnEvent("task.deleted", task.id, "alice", { id: task.id, userId: "alice", secret: "x" } as never);
    expect(draft.data).toEqual({ id: task.id, userId: "alice" });
  });
});
