/**
 * listTasks' query: filters, sort and keyset pagination. Every statement starts
 * from one user's rows through an index that leads with user_id (see the
 * migration 20261201000000_task_list_indexes and task-list.explain.test.ts).
 */
import { empty, join, raw, sql, type Sql, type SqlClient } from "../runtime/database.js";
import { TASK_COLUMNS, type Task } from "./task-store.js";
import type { PageCursor } from "./task-cursor.js";
import type { ListTasksQuery, TaskSort } from "./task-schema.js";

/** The column of each sort key; ties are broken by id in the same direction. */
const SORT_COLUMNS: Record<TaskSort, Sql> = {
  createdAt: raw("tasks.created_at"),
  dueAt: raw("tasks.due_at"),
  priority: raw("tasks.priority"),
  updatedAt: raw("tasks.updated_at"),
};

/** The cursor's key as the statement compares it. */
function keyValue(sort: TaskSort, value: string): Sql {
  return sort === "priority" ? sql`${value}::"Priority"` : sql`${new Date(value)}::timestamptz`;
}

/**
 * Rows strictly after the cursor in the page order. due_at is the one nullable key:
 * PostgreSQL sorts NULL after every date ascending and before them descending, and
 * so does the index scanned either way, so the tasks without a due date come last
 * (asc) or first (desc).
 */
function afterCursor(query: ListTasksQuery, cursor: PageCursor): Sql {
  const column = SORT_COLUMNS[query.sort];
  const id = sql`${cursor.id}::uuid`;
  const ahead = query.order === "asc" ? raw(">") : raw("<");
  if (cursor.key === null) {
    // Only due_at is ever null; asc: the rest of the NULL tail; desc: the rest of the NULL head, then every date.
    return query.order === "asc"
      ? sql`AND ${column} IS NULL AND tasks.id > ${id}`
      : sql`AND ((${column} IS NULL AND tasks.id < ${id}) OR ${column} IS NOT NULL)`;
  }
  const keyset = sql`(${column}, tasks.id) ${ahead} (${keyValue(query.sort, cursor.key)}, ${id})`;
  return query.sort === "dueAt" && query.order === "asc" ? sql`AND (${keyset} OR ${column} IS NULL)` : sql`AND ${keyset}`;
}

/** `%`, `_` and `\` in the search term are matched literally. */
function containsPattern(term: string): string {
  return `%${term.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

function filters(userId: string, completed: boolean, query: ListTasksQuery, cursor: PageCursor | undefined): Sql {
  const conditions = [sql`tasks.user_id = ${userId}`, sql`tasks.completed = ${completed}`];
  if (query.tag) conditions.push(sql`tasks.tags @> ${query.tag}::text[]`);
  if (query.priority) conditions.push(sql`tasks.priority = ${query.priority}::"Priority"`);
  if (query.dueAfter) conditions.push(sql`tasks.due_at >= ${query.dueAfter}`);
  if (query.dueBefore) conditions.push(sql`tasks.due_at < ${query.dueBefore}`);
  if (query.overdue) conditions.push(sql`tasks.due_at < ${new Date()}`);
  if (query.q) {
    const pattern = containsPattern(query.q);
    conditions.push(sql`(tasks.title ILIKE ${pattern} OR tasks.description ILIKE ${pattern})`);
  }
  return sql`${join(conditions, " AND ")} ${cursor ? afterCursor(query, cursor) : empty}`;
}

function orderBy(query: ListTasksQuery): Sql {
  const direction = raw(query.order === "asc" ? "ASC" : "DESC");
  return sql`ORDER BY ${SORT_COLUMNS[query.sort]} ${direction}, tasks.id ${direction}`;
}

/** The statuses a query reads: overdue tasks are open ones. */
function statuses(query: ListTasksQuery): boolean[] {
  if (query.overdue || query.status === "open") return [false];
  return query.status === "completed" ? [true] : [false, true];
}

/**
 * One ordered index range per status: for status=all the open and the completed
 * range are each read in order, a page at most, and merged, instead of sorting
 * all of the user's tasks.
 */
export function listTasksStatement(userId: string, query: ListTasksQuery, cursor?: PageCursor): Sql {
  const take = query.limit + 1;
  const [only, ...more] = statuses(query);
  if (more.length === 0) return sql`SELECT ${TASK_COLUMNS} FROM tasks WHERE ${filters(userId, only!, query, cursor)} ${orderBy(query)} LIMIT ${take}`;
  const branches = [only!, ...more].map(
    (completed) => sql`(SELECT tasks.* FROM tasks WHERE ${filters(userId, completed, query, cursor)} ${orderBy(query)} LIMIT ${take})`,
  );
  return sql`SELECT ${TASK_COLUMNS} FROM (${join(branches, " UNION ALL ")}) AS tasks ${orderBy(query)} LIMIT ${take}`;
}

export async function selectTaskPage(
  db: SqlClient,
  userId: string,
  query: ListTasksQuery,
  cursor?: PageCursor,
): Promise<{ items: Task[]; next: Task | undefined }> {
  const rows = await db.query<Task>(listTasksStatement(userId, query, cursor));
  const items = rows.slice(0, query.limit);
  return { items, next: rows.length > query.limit ? items[items.length - 1] : undefined };
}
