/**
 * CloudEvents as Dapr delivers them to a subscriber, and tasks as events carry
 * them. No database here: unit tests import this too.
 */
import { randomUUID } from "node:crypto";
import { expect } from "vitest";
import { buildCloudEvent, type TaskfnCloudEvent } from "../runtime/cloud-event.js";
import type { DaprStatus } from "../runtime/topic-trigger.js";
import { taskfnEvent } from "../tasks/events.js";
import type { TaskJson } from "../tasks/task-schema.js";
import type { TestApp } from "./runtime.js";

/** The fields Dapr adds to every CloudEvent it delivers. */
export const DAPR_DELIVERY_FIELDS = {
  pubsubname: "pubsub",
  traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
  tracestate: "",
  traceid: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
};

/** A task.completed CloudEvent for `task` as Dapr delivers it (the task marked completed unless it says otherwise). */
export function completedEvent(task: TaskJson): TaskfnCloudEvent & typeof DAPR_DELIVERY_FIELDS & { topic: string } {
  const completedAt = task.completedAt ?? new Date().toISOString();
  const data: TaskJson = { ...task, completed: true, completedAt };
  const event = buildCloudEvent(taskfnEvent("task.completed", task.id, task.userId, data), "/taskfn/completeTask");
  return { ...event, ...DAPR_DELIVERY_FIELDS, topic: "tasks" };
}

/** A task as the API would show it, for events about tasks that need not exist. */
export function taskJson(overrides: Partial<TaskJson> = {}): TaskJson {
  const id = overrides.id ?? randomUUID();
  const now = new Date().toISOString();
  return {
    id,
    userId: "alice",
    title: "Water plants",
    description: null,
    priority: "medium",
    tags: [],
    dueAt: null,
    remindAt: null,
    recurrence: null,
    seriesId: id,
    occurrence: 1,
    completed: false,
    completedAt: null,
    createdAt: now,
    updatedAt: now,
    ...overrides,
  };
}

/** POSTs `body` (serialised unless it is a string) to a subscriber route and returns Dapr's reply status. */
export async function deliver(app: TestApp, path: string, body: unknown, headers: Record<string, string> = {}): Promise<DaprStatus> {
  const res = await app.request(path, {
    method: "POST",
    headers: { "content-type": "application/cloudevents+json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  expect(res.status, "Dapr reads the outcome from the body: the status code is always 200").toBe(200);
  const reply = (await res.json()) as { status: DaprStatus };
  return reply.status;
}
