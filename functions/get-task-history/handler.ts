import type { FunctionRuntime, HttpHandler } from "../../runtime/contract.js";
import { decodeHistoryCursor, encodeHistoryCursor, listHistory } from "../../tasks/task-history.js";
import { invalidTask, taskNotFound } from "../../tasks/task-problems.js";
import { findTask } from "../../tasks/task-store.js";
import type { getTaskHistory } from "./definition.js";

export function createGetTaskHistoryHandler({ db }: FunctionRuntime): HttpHandler<typeof getTaskHistory.trigger> {
  return async ({ params, query }) => {
    const after = query.cursor === undefined ? undefined : decodeHistoryCursor(query.cursor);
    if (query.cursor !== undefined && !after) throw invalidTask("query.cursor", "Not a cursor from this API.");
    const page = await listHistory(db, { userId: params.userId, taskId: params.taskId, limit: query.limit, after });
    // No history yet: the user's task exists but its first event is still on its way, or it is no task of theirs.
    if (page.items.length === 0 && !after && !(await findTask(db, params.userId, params.taskId))) throw taskNotFound(params.taskId);
    return { status: 200, body: { items: page.items, nextCursor: page.next ? encodeHistoryCursor(page.next) : null } };
  };
}
