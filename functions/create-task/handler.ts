import type { FunctionRuntime, HttpHandler } from "../../runtime/contract.js";
import { taskfnEvent } from "../../tasks/events.js";
import { insertTask, toTaskJson } from "../../tasks/task-store.js";
import type { createTask } from "./definition.js";

export function createCreateTaskHandler({ uow }: FunctionRuntime): HttpHandler<typeof createTask.trigger> {
  return async ({ params, body }) => {
    const task = await uow.run(async (tx, emit) => {
      const json = toTaskJson(await insertTask(tx, params.userId, body));
      emit(taskfnEvent("task.created", json.id, json.userId, json));
      return json;
    });
    return { status: 201, body: task, headers: { location: `/api/${encodeURIComponent(task.userId)}/tasks/${task.id}` } };
  };
}
