/**
 * A task's history: one row per task event, appended by recordTaskHistory and
 * read by getTaskHistory, oldest first. Rows are never changed or deleted with
 * the task, so the history of a deleted task ends with its task.deleted.
 */
import * as z from "zod";
import { empty, sql, type SqlClient, type Transaction } from "../runtime/database.js";
import { TaskChanges } from "./task-changes.js";

export const HistoryEntry = z.object({
  eventId: z.string(),
  type: z.string(),
  time: z.iso.datetime(),
  changes: TaskChanges,
});
export type HistoryEntry = z.infer<typeof HistoryEntry>;

export const HistoryPage = z.object({ items: z.array(HistoryEntry), nextCursor: z.string().nullable() });

export const TaskHistoryQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(50),
  cursor: z.string().min(1).max(200).optional(),
});

export interface NewHistoryEntry {
  eventId: string;
  userId: string;
  taskId: string;
  type: string;
  occurredAt: Date;
  changes: TaskChanges;
}

/** False when the event is already in the history (the unique event id decides). */
export async function appendHistory(tx: Transaction, entry: NewHistoryEntry): Promise<boolean> {
  const inserted = await tx.execute(sql`
    INSERT INTO task_history (event_id, user_id, task_id, type, occurred_at, changes)
    VALUES (${entry.eventId}, ${entry.userId}, ${entry.taskId}::uuid, ${entry.type}, ${entry.occurredAt}, ${JSON.stringify(entry.changes)}::jsonb)
    ON CONFLICT (event_id) DO NOTHING`);
  return inserted === 1;
}

interface HistoryCursor {
  time: string;
  seq: string;
}

export function encodeHistoryCursor(cursor: HistoryCursor): string {
  return Buffer.from(JSON.stringify(cursor)).toString("base64url");
}

/** Undefined for a cursor this API did not issue; both fields reach the query, so both are checked. */
export function decodeHistoryCursor(cursor: string): HistoryCursor | undefined {
  try {
    const { time, seq } = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as Partial<HistoryCursor>;
    if (typeof seq === "string" && /^\d{1,18}$/.test(seq) && typeof time === "string" && new Date(Date.parse(time)).toISOString() === time)
      return { time, seq };
  } catch {
    // fall through: not ours
  }
  return undefined;
}

/** Oldest first, keyset-paginated on (occurred_at, seq): one index range of (user_id, task_id, occurred_at, seq). */
export async function listHistory(
  db: SqlClient,
  { userId, taskId, limit, after }: { userId: string; taskId: string; limit: number; after?: HistoryCursor },
): Promise<{ items: HistoryEntry[]; next: HistoryCursor | undefined }> {
  const rows = await db.query<{ eventId: string; type: string; occurredAt: Date; seq: string; changes: HistoryEntry["changes"] }>(sql`
    SELECT event_id AS "eventId", type, occurred_at AS "occurredAt", seq::text AS seq, changes
    FROM task_history
    WHERE user_id = ${userId} AND task_id = ${taskId}::uuid
      ${after ? sql`AND (occurred_at, seq) > (${new Date(after.time)}, ${after.seq}::bigint)` : empty}
    ORDER BY occurred_at, seq
    LIMIT ${limit + 1}`);
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return {
    items: page.map((row) => ({ eventId: row.eventId, type: row.type, time: row.occurredAt.toISOString(), changes: row.changes })),
    next: rows.length > limit && last ? { time: last.occurredAt.toISOString(), seq: last.seq } : undefined,
  };
}
