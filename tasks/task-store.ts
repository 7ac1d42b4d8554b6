/**
 * Every query on tasks. Each takes the client to run on (the pool or a
 * transaction) and is scoped by user: another user's task is simply not found.
 */
import { randomUUID } from "node:crypto";
import { Prisma, type Task } from "../generated/prisma/client.js";
import type { Database, Transaction } from "../runtime/database.js";
import type { CreateTaskBody, ListTasksQuery, TaskJson, UpdateTaskBody } from "./task-schema.js";

type Client = Database | Transaction;
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
    seriesId: task.seriesId,
    occurrence: task.occurrence,
    completed: task.completed,
    completedAt: iso(task.completedAt),
    createdAt: task.createdAt.toISOString(),
    updatedAt: task.updatedAt.toISOString(),
  };
}

/**
 * The writes on a request's or an event's path are plain SQL returning Task-shaped
 * rows: Prisma runs $queryRaw without planning it in its query compiler, which is
 * most of the CPU an ORM create/createMany costs.
 */
const TASK_COLUMNS = Prisma.raw(
  `id::text, user_id AS "userId", title, description, priority::text AS priority, tags, due_at AS "dueAt", remind_at AS "remindAt",
   reminder_sent_at AS "reminderSentAt", recurrence, series_id::text AS "seriesId", occurrence, completed, completed_at AS "completedAt",
   created_at AS "createdAt", updated_at AS "updatedAt"`,
);

export async function insertTask(db: Client, userId: string, body: CreateTaskBody): Promise<Task> {
  const id = randomUUID();
  const [task] = await db.$queryRaw<Task[]>`
    INSERT INTO tasks (id, user_id, series_id, title, description, priority, tags, due_at, remind_at, recurrence)
    VALUES (${id}::uuid, ${userId}, ${id}::uuid, ${body.title}, ${body.description ?? null}, ${body.priority}::"Priority", ${body.tags}::text[],
            ${body.dueAt ?? null}, ${body.remindAt ?? null}, ${body.recurrence ?? null})
    RETURNING ${TASK_COLUMNS}`;
  return task!;
}

export function findTask(db: Client, userId: string, id: string): Promise<Task | null> {
  return db.task.findFirst({ where: { id, userId } });
}

/** Locks the row for the rest of the transaction so concurrent changes queue up. */
export async function findTaskForUpdate(tx: Transaction, userId: string, id: string): Promise<Task | null> {
  const [task] = await tx.$queryRaw<Task[]>`SELECT ${TASK_COLUMNS} FROM tasks WHERE id = ${id}::uuid AND user_id = ${userId} FOR UPDATE`;
  return task ?? null;
}

export function updateTask(tx: Transaction, task: Task, patch: UpdateTaskBody): Promise<Task> {
  const remindAtChanged = patch.remindAt !== undefined && patch.remindAt?.getTime() !== task.remindAt?.getTime();
  return tx.task.update({
    where: { id: task.id },
    data: {
      ...patch,
      // A moved reminder is due again, even if the old one was sent.
      ...(remindAtChanged ? { reminderSentAt: null } : {}),
      updatedAt: new Date(),
    },
  });
}

/** Completes the task if it is open; null when it is missing or already completed (nothing changes then). */
export async function completeOpenTask(tx: Transaction, userId: string, id: string): Promise<Task | null> {
  const now = new Date();
  const [task] = await tx.$queryRaw<Task[]>`
    UPDATE tasks SET completed = true, completed_at = ${now}, updated_at = ${now}
    WHERE id = ${id}::uuid AND user_id = ${userId} AND completed = false
    RETURNING ${TASK_COLUMNS}`;
  return task ?? null;
}

export async function deleteTask(tx: Transaction, userId: string, id: string): Promise<Task | null> {
  const [task] = await tx.$queryRaw<Task[]>`DELETE FROM tasks WHERE id = ${id}::uuid AND user_id = ${userId} RETURNING ${TASK_COLUMNS}`;
  return task ?? null;
}

interface PageCursor {
  createdAt: string;
  id: string;
}

export function encodeCursor(task: Pick<Task, "createdAt" | "id">): string {
  return Buffer.from(JSON.stringify({ createdAt: task.createdAt.toISOString(), id: task.id })).toString("base64url");
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whether `value` is an instant exactly as encodeCursor writes it (toISOString of a year 0–9999 date). */
function isCursorInstant(value: string): boolean {
  const time = Date.parse(value);
  return !Number.isNaN(time) && /^\d{4}-/.test(value) && new Date(time).toISOString() === value;
}

/**
 * Returns undefined for a cursor this API did not issue. Both fields go into the
 * query, so both are checked: a non-uuid id or an out-of-range date would make
 * PostgreSQL fail the query (a 500) instead of the request (a 400).
 */
export function decodeCursor(cursor: string): PageCursor | undefined {
  try {
    const value = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as Partial<PageCursor>;
    if (typeof value.id === "string" && UUID.test(value.id) && typeof value.createdAt === "string" && isCursorInstant(value.createdAt)) {
      return { id: value.id, createdAt: value.createdAt };
    }
  } catch {
    // fall through: not ours
  }
  return undefined;
}

/** Newest first, keyset-paginated on (createdAt, id) so pages never skip or repeat. */
export async function listTasks(db: Client, userId: string, query: ListTasksQuery, after?: PageCursor): Promise<{ items: Task[]; next: Task | undefined }> {
  const completed = query.status === "all" ? undefined : query.status === "completed";
  // (created_at, id) < (a, b) is the keyset condition in one index range of (user_id, completed, created_at DESC, id DESC).
  const rows = await db.$queryRaw<Task[]>`
    SELECT ${TASK_COLUMNS} FROM tasks
    WHERE user_id = ${userId}
      ${completed === undefined ? Prisma.empty : Prisma.sql`AND completed = ${completed}`}
      ${after ? Prisma.sql`AND (created_at, id) < (${new Date(after.createdAt)}, ${after.id}::uuid)` : Prisma.empty}
    ORDER BY created_at DESC, id DESC
    LIMIT ${query.limit + 1}`;
  const items = rows.slice(0, query.limit);
  return { items, next: rows.length > query.limit ? items[items.length - 1] : undefined };
}

export interface NextInstance {
  previous: TaskJson;
  dueAt: Date;
}

/**
 * Inserts the next instance of a series. The unique (seriesId, occurrence) index
 * decides races: whoever comes second inserts nothing and gets null.
 */
export async function insertNextInstance(tx: Transaction, { previous, dueAt }: NextInstance): Promise<Task | null> {
  const offsetMs = previous.remindAt && previous.dueAt ? Date.parse(previous.dueAt) - Date.parse(previous.remindAt) : undefined;
  const remindAt = offsetMs === undefined ? null : new Date(dueAt.getTime() - offsetMs);
  const [task] = await tx.$queryRaw<Task[]>`
    INSERT INTO tasks (id, user_id, series_id, occurrence, title, description, priority, tags, recurrence, due_at, remind_at)
    VALUES (${randomUUID()}::uuid, ${previous.userId}, ${previous.seriesId}::uuid, ${previous.occurrence + 1}, ${previous.title}, ${previous.description},
            ${previous.priority}::"Priority", ${previous.tags}::text[], ${previous.recurrence}, ${dueAt}, ${remindAt})
    ON CONFLICT (series_id, occurrence) DO NOTHING
    RETURNING ${TASK_COLUMNS}`;
  return task ?? null;
}

/**
 * Claims up to `limit` due, unsent reminders and marks them sent, in the caller's
 * transaction. SKIP LOCKED lets several replicas claim at once, each getting
 * different rows; a claimed row is never claimed again once committed.
 */
export async function claimDueReminders(tx: Transaction, { now, limit }: { now: Date; limit: number }): Promise<Task[]> {
  const claimed = await tx.$queryRaw<{ id: string }[]>`
    SELECT id FROM tasks
    WHERE remind_at <= ${now} AND reminder_sent_at IS NULL AND completed = false
    ORDER BY remind_at
    LIMIT ${limit}
    FOR UPDATE SKIP LOCKED`;
  if (claimed.length === 0) return [];
  const ids = claimed.map((row) => row.id);
  await tx.task.updateMany({ where: { id: { in: ids } }, data: { reminderSentAt: now } });
  return tx.task.findMany({ where: { id: { in: ids } }, orderBy: { remindAt: "asc" } });
}
