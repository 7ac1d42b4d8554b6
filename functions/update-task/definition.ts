import { defineFunction } from "../../runtime/contract.js";
import { UpdateTaskBody } from "../../tasks/task-input.js";
import { TaskJson, TaskParams } from "../../tasks/task-schema.js";

export const updateTask = defineFunction({
  name: "updateTask",
  appId: "update-task",
  port: 3104,
  description: "Changes some fields of a task (null clears an optional field) and emits task.updated.",
  trigger: {
    kind: "http",
    method: "patch",
    path: "/api/{userId}/tasks/{taskId}",
    summary: "Update a task",
    params: TaskParams,
    body: UpdateTaskBody,
    response: { status: 200, description: "The updated task.", schema: TaskJson },
  },
});
