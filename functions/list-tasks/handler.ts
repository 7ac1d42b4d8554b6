import type { FunctionRuntime, HttpHandler } from "../../runtime/contract.js";
import { invalidTask } from "../../tasks/task-problems.js";
import { decodeCursor, encodeCursor, selectTaskPage, toTaskJson } from "../../tasks/task-store.js";
import type { listTasks } from "./definition.js";

export function createListTasksHandler({ db }: FunctionRuntime): HttpHandler<typeof listTasks.trigger> {
  return async ({ params, query }) => {
    const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
    if (query.cursor !== undefined && !after) {
      throw invalidTask("query.cursor", "Not a cursor from this API.");
    }
    const page = await selectTaskPage(db, params.userId, query, after);
    return { status: 200, body: { items: page.items.map(toTaskJson), nextCursor: page.next ? encodeCursor(page.next) : null } };
  };
}
