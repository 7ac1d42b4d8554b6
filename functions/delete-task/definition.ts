import { defineFunction } from "../../runtime/contract.js";
import { TaskParams } from "../../tasks/task-schema.js";

export const deleteTask = defineFunction({
  name: "deleteTask",
  appId: "delete-task",
  port: 3106,
  description: "Deletes a task and emits task.deleted.",
  trigger: {
    kind: "http",
    method: "delete",
    path: "/api/{userId}/tasks/{taskId}",
    summary: "Delete a task",
    params: TaskParams,
    response: { status: 204, description: "Deleted." },
  },
});
