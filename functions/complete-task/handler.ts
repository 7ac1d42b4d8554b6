import type { FunctionRuntime, HttpHandler } from "../../runtime/contract.js";
import { taskfnEvent } from "../../tasks/events.js";
import { taskNotFound } from "../../tasks/task-problems.js";
import { completeOpenTask, findTask, toTaskJson } from "../../tasks/task-store.js";
import type { completeTask } from "./definition.js";

export function createCompleteTaskHandler({ uow }: FunctionRuntime): HttpHandler<typeof completeTask.trigger> {
  return async ({ params }) => {
    const task = await uow.run(async (tx, emit) => {
      const completed = await completeOpenTask(tx, params.userId, params.taskId);
      if (completed) {
        const json = toTaskJson(completed);
        emit(taskfnEvent("task.completed", json.id, json.userId, json));
        return json;
      }
      const existing = await findTask(tx, params.userId, params.taskId);
      if (!existing) throw taskNotFound(params.taskId);
      return toTaskJson(existing);
    });
    return { status: 200, body: task };
  };
}
