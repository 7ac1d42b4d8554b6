/**
 * Every query on tasks. Each takes the client to run on (the pool or a
 * transaction) and is scoped by user: another user's task is simply not found.
 */
import { randomUUID } from "node:crypto";
import type { Task } from "../generated/prisma/client.js";
import { join, raw, sql, type Sql, type SqlClient, type Transaction } from "../runtime/database.js";
import type { CreateTaskBody, UpdateTaskBody } from "./task-input.js";
import type { TaskJson } from "./task-schema.js";

export type { Task };

const iso = (date: Date | null): string | null => date?.toISOString() ?? null;

export function toTaskJson(task: Task): TaskJson {
  return {
    id: task.id,
    userId: task.userId,
    title: task.title,
    description: task.description,
    priority: task.priority,
    tags: task.tags,
    dueAt: iso(task.dueAt),
    remindAt: iso(task.remindAt),
    recurrence: task.recurrence,
    timeZone: task.timeZone,
    seriesId: task.seriesId,
    occurrence: task.occurrence,
    completed: task.completed,
    completedAt: iso(task.completedAt),
    createdAt: task.createdAt.toISOString(),
    updatedAt: task.updatedAt.toISOString(),
  };
}

/**
 * Every query returns rows shaped like Prisma's `Task` (the schema's field names and
 * types). Qualified, so they also read unambiguously from a statement that joins tasks.
 */
export const TASK_COLUMNS = raw(
  `tasks.id::text AS id, tasks.user_id AS "userId", tasks.title, tasks.description, tasks.priority::text AS priority, tasks.tags,
   tasks.due_at AS "dueAt", tasks.remind_at AS "remindAt", tasks.reminder_sent_at AS "reminderSentAt", tasks.recurrence, tasks.time_zone AS "timeZone",
   tasks.series_id::text AS "seriesId", tasks.occurrence, tasks.completed, tasks.completed_at AS "completedAt",
   tasks.created_at AS "createdAt", tasks.updated_at AS "updatedAt"`,
);

export async function insertTask(db: SqlClient, userId: string, body: CreateTaskBody): Promise<Task> {
  const id = randomUUID();
  const [task] = await db.query<Task>(sql`
    INSERT INTO tasks (id, user_id, series_id, title, description, priority, tags, due_at, remind_at, recurrence, time_zone)
    VALUES (${id}::uuid, ${userId}, ${id}::uuid, ${body.title}, ${body.description ?? null}, ${body.priority}::"Priority", ${body.tags}::text[],
            ${body.dueAt ?? null}, ${body.remindAt ?? null}, ${body.recurrence ?? null}, ${body.timeZone})
    RETURNING ${TASK_COLUMNS}`);
  return task!;
}

export async function findTask(db: SqlClient, userId: string, id: string): Promise<Task | null> {
  const [task] = await db.query<Task>(sql`SELECT ${TASK_COLUMNS} FROM tasks WHERE id = ${id}::uuid AND user_id = ${userId}`);
  return task ?? null;
}

/** Locks the row for the rest of the transaction so concurrent changes queue up. */
export async function findTaskForUpdate(tx: Transaction, userId: string, id: string): Promise<Task | null> {
  const [task] = await tx.query<Task>(sql`SELECT ${TASK_COLUMNS} FROM tasks WHERE id = ${id}::uuid AND user_id = ${userId} FOR UPDATE`);
  return task ?? null;
}

/** The column each patchable field is stored in, with the cast its parameter needs. */
const PATCH_COLUMNS: { [K in keyof Required<UpdateTaskBody>]: (value: UpdateTaskBody[K]) => Sql } = {
  title: (v) => sql`title = ${v}`,
  description: (v) => sql`description = ${v}`,
  priority: (v) => sql`priority = ${v}::"Priority"`,
  tags: (v) => sql`tags = ${v}::text[]`,
  dueAt: (v) => sql`due_at = ${v}`,
  remindAt: (v) => sql`remind_at = ${v}`,
  recurrence: (v) => sql`recurrence = ${v}`,
  timeZone: (v) => sql`time_zone = ${v}`,
};

export async function updateTaskRow(tx: Transaction, task: Task, patch: UpdateTaskBody): Promise<Task> {
  const assignments = Object.entries(patch)
    .filter(([, value]) => value !== undefined)
    .map(([field, value]) => (PATCH_COLUMNS[field as keyof UpdateTaskBody] as (v: unknown) => Sql)(value));
  const remindAtChanged = patch.remindAt !== undefined && patch.remindAt?.getTime() !== task.remindAt?.getTime();
  // A moved reminder is due again, even if the old one was sent.
  if (remindAtChanged) assignments.push(sql`reminder_sent_at = NULL`);
  assignments.push(sql`updated_at = ${new Date()}`);
  const [updated] = await tx.query<Task>(sql`UPDATE tasks SET ${join(assignments, ", ")} WHERE id = ${task.id}::uuid RETURNING ${TASK_COLUMNS}`);
  return updated!;
}

/** Completes the task if it is open; null when it is missing or already completed (nothing changes then). */
export async function completeOpenTask(tx: Transaction, userId: string, id: string): Promise<Task | null> {
  const now = new Date();
  const [task] = await tx.query<Task>(sql`
    UPDATE tasks SET completed = true, completed_at = ${now}, updated_at = ${now}
    WHERE id = ${id}::uuid AND user_id = ${userId} AND completed = false
    RETURNING ${TASK_COLUMNS}`);
  return task ?? null;
}

export async function deleteTaskRow(tx: Transaction, userId: string, id: string): Promise<Task | null> {
  const [task] = await tx.query<Task>(sql`DELETE FROM tasks WHERE id = ${id}::uuid AND user_id = ${userId} RETURNING ${TASK_COLUMNS}`);
  return task ?? null;
}

export interface NextInstance {
  previous: TaskJson;
  dueAt: Date;
}

/** The last instant an ISO 8601 date-time with a four-digit year, as the API reads and writes them, can name. */
const LATEST_INSTANT_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

/**
 * Inserts the next instance of a series. The unique (seriesId, occurrence) index
 * decides races: whoever comes second inserts nothing and gets null.
 */
export async function insertNextInstance(tx: Transaction, { previous, dueAt }: NextInstance): Promise<Task | null> {
  const offsetMs = previous.remindAt && previous.dueAt ? Date.parse(previous.dueAt) - Date.parse(previous.remindAt) : undefined;
  const shifted = offsetMs === undefined ? undefined : dueAt.getTime() - offsetMs;
  // A reminder set far after its due date can shift past the last instant a task may carry (its
  // events would fail their own schema and the delivery would retry forever): that instance has none.
  const remindAt = shifted === undefined || shifted > LATEST_INSTANT_MS ? null : new Date(shifted);
  const [task] = await tx.query<Task>(sql`
    INSERT INTO tasks (id, user_id, series_id, occurrence, title, description, priority, tags, recurrence, time_zone, due_at, remind_at)
    VALUES (${randomUUID()}::uuid, ${previous.userId}, ${previous.seriesId}::uuid, ${previous.occurrence + 1}, ${previous.title}, ${previous.description},
            ${previous.priority}::"Priority", ${previous.tags}::text[], ${previous.recurrence}, ${previous.timeZone}, ${dueAt}, ${remindAt})
    ON CONFLICT (series_id, occurrence) DO NOTHING
    RETURNING ${TASK_COLUMNS}`);
  return task ?? null;
}

/**
 * Claims up to `limit` due, unsent reminders and marks them sent, in the caller's
 * transaction. SKIP LOCKED lets several replicas claim at once, each getting
 * different rows; a claimed row is never claimed again once committed.
 */
export async function claimDueReminders(tx: Transaction, { now, limit }: { now: Date; limit: number }): Promise<Task[]> {
  const claimed = await tx.query<Task>(sql`
    WITH due AS (
      SELECT id FROM tasks
      WHERE remind_at <= ${now} AND reminder_sent_at IS NULL AND completed = false
      ORDER BY remind_at
      LIMIT ${limit}
      FOR UPDATE SKIP LOCKED
    )
    UPDATE tasks SET reminder_sent_at = ${now} FROM due WHERE tasks.id = due.id
    RETURNING ${TASK_COLUMNS}`);
  // UPDATE … RETURNING has no order: emit the reminders in the order they fell due.
  return claimed.sort((a, b) => a.remindAt!.getTime() - b.remindAt!.getTime());
}
