import type { FunctionRuntime, HttpHandler } from "../../runtime/contract.js";
import { taskfnEvent } from "../../tasks/events.js";
import { taskNotFound } from "../../tasks/task-problems.js";
import { deleteTaskRow } from "../../tasks/task-store.js";
import type { deleteTask } from "./definition.js";

export function createDeleteTaskHandler({ uow }: FunctionRuntime): HttpHandler<typeof deleteTask.trigger> {
  return async ({ params }) => {
    await uow.run(async (tx, emit) => {
      const deleted = await deleteTaskRow(tx, params.userId, params.taskId);
      if (!deleted) throw taskNotFound(params.taskId);
      emit(taskfnEvent("task.deleted", deleted.id, deleted.userId, { id: deleted.id, userId: deleted.userId }));
    });
    return { status: 204 };
  };
}
