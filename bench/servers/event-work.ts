/**
 * What a hand-written onTaskCompleted does, shared by the baseline and by the
 * DaprServer and functions-framework versions so that only the framework differs:
 * check the envelope, validate `data` with the same zod schema, and in one
 * transaction record the event and insert the next instance of a series with its
 * outbox row; then publish and mark the row published.
 */
import { randomUUID } from "node:crypto";
import type pg from "pg";
import { nextOccurrence } from "../../tasks/recurrence.js";
import { TaskJson } from "../../tasks/task-schema.js";
import type { Publish } from "./publisher.js";

export const CONSUMER = "on-task-completed";
export type Status = "SUCCESS" | "DROP" | "RETRY";

export interface TaskCompleted {
  id: string;
  data: TaskJson;
}

/** The envelope checks a hand-written consumer makes, then the data schema. Undefined: drop it. */
export function readTaskCompleted(body: unknown): TaskCompleted | undefined {
  if (!body || typeof body !== "object") return undefined;
  const envelope = body as Record<string, unknown>;
  if (envelope.specversion !== "1.0" || typeof envelope.id !== "string" || typeof envelope.source !== "string" || envelope.type !== "task.completed") {
    return undefined;
  }
  const data = TaskJson.safeParse(envelope.data);
  return data.success ? { id: envelope.id, data: data.data } : undefined;
}

export interface TaskRow {
  id: string;
  user_id: string;
  title: string;
  description: string | null;
  priority: TaskJson["priority"];
  tags: string[];
  due_at: Date | null;
  remind_at: Date | null;
  recurrence: string | null;
  time_zone: string;
  series_id: string;
  occurrence: number;
  completed: boolean;
  completed_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

export const TASK_COLUMNS =
  "id, user_id, title, description, priority, tags, due_at, remind_at, recurrence, time_zone, series_id, occurrence, completed, completed_at, created_at, updated_at";

export function rowToJson(row: TaskRow): TaskJson {
  const iso = (d: Date | null) => d?.toISOString() ?? null;
  return {
    id: row.id,
    userId: row.user_id,
    title: row.title,
    description: row.description,
    priority: row.priority,
    tags: row.tags,
    dueAt: iso(row.due_at),
    remindAt: iso(row.remind_at),
    recurrence: row.recurrence,
    timeZone: row.time_zone,
    seriesId: row.series_id,
    occurrence: row.occurrence,
    completed: row.completed,
    completedAt: iso(row.completed_at),
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

export function taskCreatedEvent(task: TaskJson, source: string) {
  return {
    specversion: "1.0",
    id: randomUUID(),
    source,
    type: "task.created",
    subject: task.id,
    time: new Date().toISOString(),
    datacontenttype: "application/json",
    partitionkey: task.userId,
    data: task,
  };
}

export type OutboxEvent = ReturnType<typeof taskCreatedEvent>;

export async function insertOutbox(client: pg.PoolClient, event: OutboxEvent): Promise<void> {
  await client.query("INSERT INTO outbox_events (id, topic, partition_key, cloud_event) VALUES ($1, 'tasks', $2, $3)", [event.id, event.partitionkey, event]);
}

/** Publishes after commit; the row stays unpublished (for relayOutbox) if the sidecar refuses. */
export async function publishAndMark(pool: pg.Pool, publish: Publish, event: OutboxEvent): Promise<void> {
  await publish(event, event.partitionkey);
  await pool.query("UPDATE outbox_events SET published_at = now(), attempts = attempts + 1 WHERE id = $1", [event.id]);
}

async function insertNextInstance(client: pg.PoolClient, previous: TaskJson, dueAt: Date): Promise<TaskJson | undefined> {
  const offsetMs = previous.remindAt && previous.dueAt ? Date.parse(previous.dueAt) - Date.parse(previous.remindAt) : undefined;
  const { rows } = await client.query<TaskRow>(
    `INSERT INTO tasks (id, user_id, series_id, occurrence, title, description, priority, tags, recurrence, time_zone, due_at, remind_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
     ON CONFLICT (series_id, occurrence) DO NOTHING
     RETURNING ${TASK_COLUMNS}`,
    [
      randomUUID(),
      previous.userId,
      previous.seriesId,
      previous.occurrence + 1,
      previous.title,
      previous.description,
      previous.priority,
      previous.tags,
      previous.recurrence,
      previous.timeZone,
      dueAt,
      offsetMs === undefined ? null : new Date(dueAt.getTime() - offsetMs),
    ],
  );
  return rows[0] ? rowToJson(rows[0]) : undefined;
}

/**
 * Acts once per `eventKey`: a redelivery finds its processed_events row and does nothing.
 * `source` (CloudEvent source of what it emits) tells the runner whose outbox rows are whose.
 */
export async function handleTaskCompleted(pool: pg.Pool, publish: Publish, eventKey: string, completed: TaskJson, source: string): Promise<void> {
  const emitted = await inTransaction(pool, async (client) => {
    const marked = await client.query("INSERT INTO processed_events (consumer, event_id) VALUES ($1, $2) ON CONFLICT DO NOTHING", [CONSUMER, eventKey]);
    const dueAt =
      marked.rowCount === 1 && completed.recurrence && completed.dueAt
        ? nextOccurrence({ rule: completed.recurrence, dueAt: new Date(completed.dueAt), occurrence: completed.occurrence, timeZone: completed.timeZone })
        : null;
    // As onTaskCompleted: nothing for an instance reopened since it was completed.
    const reopened = dueAt ? (await client.query("SELECT completed FROM tasks WHERE id = $1 FOR SHARE", [completed.id])).rows[0]?.completed === false : false;
    const next = dueAt && !reopened ? await insertNextInstance(client, completed, dueAt) : undefined;
    if (!next) return undefined;
    const event = taskCreatedEvent(next, source);
    await insertOutbox(client, event);
    return event;
  });
  if (emitted) await publishAndMark(pool, publish, emitted);
}

/** BEGIN, `work`, COMMIT on one pooled connection (ROLLBACK if it throws): the baselines' unit of work. */
export async function inTransaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query("BEGIN");
    const result = await work(client);
    await client.query("COMMIT");
    return result;
  } catch (error) {
    await client.query("ROLLBACK").catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}
