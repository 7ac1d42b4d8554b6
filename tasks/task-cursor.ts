/**
 * listTasks' page cursor: opaque to clients, it holds the last task's sort key and
 * id and a digest of the sort and filters it was issued for, so a cursor from one
 * query is refused by another instead of silently skipping or repeating tasks.
 */
import { createHash } from "node:crypto";
import type { Task } from "./task-store.js";
import { PRIORITIES, type ListTasksQuery, type TaskSort } from "./task-schema.js";

export interface PageCursor {
  /** The sort key of the last task of the page (null: a task without dueAt). */
  key: string | null;
  id: string;
}

/** What a cursor is bound to: everything but `limit` (a client may change the page size) and the cursor itself. */
function querySignature(query: ListTasksQuery): string {
  const { status, tag, priority, dueBefore, dueAfter, overdue, q, sort, order } = query;
  const tags = tag ? [...new Set(tag)].sort() : null;
  const canonical = JSON.stringify([
    status,
    tags,
    priority ?? null,
    dueBefore?.toISOString() ?? null,
    dueAfter?.toISOString() ?? null,
    overdue ?? false,
    q ?? null,
    sort,
    order,
  ]);
  return createHash("sha256").update(canonical).digest("base64url").slice(0, 16);
}

function sortKey(task: Task, sort: TaskSort): string | null {
  if (sort === "priority") return task.priority;
  const value = sort === "dueAt" ? task.dueAt : sort === "updatedAt" ? task.updatedAt : task.createdAt;
  return value?.toISOString() ?? null;
}

export function encodeCursor(task: Task, query: ListTasksQuery): string {
  const cursor = { k: sortKey(task, query.sort), i: task.id, h: querySignature(query) };
  return Buffer.from(JSON.stringify(cursor)).toString("base64url");
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whether `value` is an instant exactly as encodeCursor writes it (toISOString of a year 0–9999 date). */
function isCursorInstant(value: unknown): boolean {
  if (typeof value !== "string") return false;
  const time = Date.parse(value);
  return !Number.isNaN(time) && /^\d{4}-/.test(value) && new Date(time).toISOString() === value;
}

function isSortKey(sort: TaskSort, key: unknown): boolean {
  if (sort === "priority") return PRIORITIES.includes(key as never);
  return isCursorInstant(key) || (sort === "dueAt" && key === null);
}

export type CursorReading = { cursor: PageCursor } | { problem: string };

/**
 * Reads a cursor for `query`. Its key and id go into the statement, so both are
 * checked: a non-uuid id or an out-of-range date would fail the query (a 500)
 * instead of the request (a 400).
 */
export function decodeCursor(text: string, query: ListTasksQuery): CursorReading {
  let value: { k?: unknown; i?: unknown; h?: unknown };
  try {
    value = JSON.parse(Buffer.from(text, "base64url").toString("utf8")) as typeof value;
  } catch {
    return { problem: "Not a cursor from this API." };
  }
  if (typeof value !== "object" || value === null || typeof value.i !== "string" || !UUID.test(value.i) || typeof value.h !== "string") {
    return { problem: "Not a cursor from this API." };
  }
  if (value.h !== querySignature(query)) {
    return { problem: "This cursor belongs to another sort or filter set: repeat the query it came from, or start again without a cursor." };
  }
  if (!isSortKey(query.sort, value.k)) return { problem: "Not a cursor from this API." };
  return { cursor: { key: value.k as string | null, id: value.i } };
}
