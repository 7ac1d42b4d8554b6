import type { FunctionRuntime, HttpHandler } from "../../runtime/contract.js";
import { invalidTask } from "../../tasks/task-problems.js";
import { decodeCursor, encodeCursor } from "../../tasks/task-cursor.js";
import { selectTaskPage } from "../../tasks/task-list.js";
import { toTaskJson } from "../../tasks/task-store.js";
import type { listTasks } from "./definition.js";

export function createListTasksHandler({ db }: FunctionRuntime): HttpHandler<typeof listTasks.trigger> {
  return async ({ params, query }) => {
    const reading = query.cursor === undefined ? undefined : decodeCursor(query.cursor, query);
    if (reading && "problem" in reading) throw invalidTask("query.cursor", reading.problem);
    const page = await selectTaskPage(db, params.userId, query, reading?.cursor);
    return { status: 200, body: { items: page.items.map(toTaskJson), nextCursor: page.next ? encodeCursor(page.next, query) : null } };
  };
}
