import type { FunctionRuntime, HttpHandler } from "../../runtime/contract.js";
import { taskNotFound } from "../../tasks/task-problems.js";
import { findTask, toTaskJson } from "../../tasks/task-store.js";
import type { getTask } from "./definition.js";

export function createGetTaskHandler({ db }: FunctionRuntime): HttpHandler<typeof getTask.trigger> {
  return async ({ params }) => {
    const task = await findTask(db, params.userId, params.taskId);
    if (!task) throw taskNotFound(params.taskId);
    return { status: 200, body: toTaskJson(task) };
  };
}
