/**
 * The events taskfn emits: their topics, CloudEvent types and `data` schemas.
 * Every event of a user carries the user id as partition key, so each user's
 * events stay in commit order on one Kafka partition: the outbox publishes a
 * key's events in that order, inline or through relayOutbox (runtime/outbox.ts,
 * runtime/outbox-relay.ts).
 */
import * as z from "zod";
import type { EventDraft } from "../runtime/cloud-event.js";
import { TaskChanges } from "./task-changes.js";
import { TaskJson } from "./task-schema.js";

export const TOPICS = { tasks: "tasks", reminders: "reminders" } as const;
export const DEAD_LETTER_TOPICS = { tasks: "tasks-dlq", reminders: "reminders-dlq" } as const;

/** The task after the update, and what the update changed. */
export const TaskUpdatedData = TaskJson.extend({ changes: TaskChanges });
export const TaskDeletedData = z.object({ id: z.uuid(), userId: z.string() });
export const ReminderDueData = z.object({
  taskId: z.uuid(),
  userId: z.string(),
  title: z.string(),
  dueAt: z.iso.datetime().nullable(),
  remindAt: z.iso.datetime(),
});

/** type → (topic, data schema): the single list of what may be published. */
export const EVENT_TYPES = {
  "task.created": { topic: TOPICS.tasks, data: TaskJson },
  "task.updated": { topic: TOPICS.tasks, data: TaskUpdatedData },
  "task.completed": { topic: TOPICS.tasks, data: TaskJson },
  "task.reopened": { topic: TOPICS.tasks, data: TaskJson },
  "task.deleted": { topic: TOPICS.tasks, data: TaskDeletedData },
  "reminder.due": { topic: TOPICS.reminders, data: ReminderDueData },
} as const;

export type EventType = keyof typeof EVENT_TYPES;
export type EventData<T extends EventType> = z.input<(typeof EVENT_TYPES)[T]["data"]>;

type Registry = typeof EVENT_TYPES;
type EventsOnTopic<T extends string> = { [K in EventType as Registry[K]["topic"] extends T ? K : never]: Registry[K]["data"] };

/** The event types published on `topic`, each with its data schema: what a consumer of all of them subscribes to. */
function eventsOnTopic<T extends string>(topic: T): EventsOnTopic<T> {
  const entries = Object.entries(EVENT_TYPES).filter(([, event]) => event.topic === topic);
  return Object.fromEntries(entries.map(([type, event]) => [type, event.data])) as EventsOnTopic<T>;
}

/** Every event type on the `tasks` topic. */
export const TASK_EVENTS = eventsOnTopic(TOPICS.tasks);

/** A typed event draft; its data is checked against the type's schema before it reaches the outbox. */
export function taskfnEvent<T extends EventType>(type: T, subject: string, userId: string, data: EventData<T>): EventDraft {
  const { topic, data: schema } = EVENT_TYPES[type];
  return { topic, type, subject, partitionKey: userId, data: schema.parse(data) };
}
