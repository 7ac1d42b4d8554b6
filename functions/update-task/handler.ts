import type { FunctionRuntime, HttpHandler } from "../../runtime/contract.js";
import { taskfnEvent } from "../../tasks/events.js";
import { invalidTask, taskNotFound } from "../../tasks/task-problems.js";
import { recurrenceProblem } from "../../tasks/task-input.js";
import { findTaskForUpdate, toTaskJson, updateTaskRow } from "../../tasks/task-store.js";
import type { updateTask } from "./definition.js";

export function createUpdateTaskHandler({ uow }: FunctionRuntime): HttpHandler<typeof updateTask.trigger> {
  return async ({ params, body }) => {
    const task = await uow.run(async (tx, emit) => {
      const current = await findTaskForUpdate(tx, params.userId, params.taskId);
      if (!current) throw taskNotFound(params.taskId);
      const merged = { recurrence: body.recurrence !== undefined ? body.recurrence : current.recurrence, dueAt: body.dueAt !== undefined ? body.dueAt : current.dueAt };
      const problem = recurrenceProblem(merged);
      if (problem) throw invalidTask(`body.${problem.field}`, problem.message);
      const json = toTaskJson(await updateTaskRow(tx, current, body));
      emit(taskfnEvent("task.updated", json.id, json.userId, json));
      return json;
    });
    return { status: 200, body: task };
  };
}
