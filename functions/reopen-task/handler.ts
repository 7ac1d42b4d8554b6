import type { FunctionRuntime, HttpHandler } from "../../runtime/contract.js";
import { taskfnEvent } from "../../tasks/events.js";
import { taskNotFound } from "../../tasks/task-problems.js";
import { reopenCompletedTask, withdrawNextInstance } from "../../tasks/task-reopen.js";
import { findTask, toTaskJson } from "../../tasks/task-store.js";
import type { reopenTask } from "./definition.js";

export function createReopenTaskHandler({ uow }: FunctionRuntime): HttpHandler<typeof reopenTask.trigger> {
  return async ({ params }, { trace }) => {
    const task = await uow.run(trace, async (tx, emit) => {
      const reopened = await reopenCompletedTask(tx, params.userId, params.taskId);
      if (reopened) {
        const next = await withdrawNextInstance(tx, reopened);
        if (next) emit(taskfnEvent("task.deleted", next.id, next.userId, { id: next.id, userId: next.userId }));
        const json = toTaskJson(reopened);
        emit(taskfnEvent("task.reopened", json.id, json.userId, json));
        return json;
      }
      const existing = await findTask(tx, params.userId, params.taskId);
      if (!existing) throw taskNotFound(params.taskId);
      return toTaskJson(existing);
    });
    return { status: 200, body: task };
  };
}
