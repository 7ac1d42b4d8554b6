import { defineFunction } from "../../runtime/contract.js";
import { TaskJson, TaskParams } from "../../tasks/task-schema.js";

export const completeTask = defineFunction({
  name: "completeTask",
  appId: "complete-task",
  port: 3105,
  description: "Completes a task and emits task.completed; completing it again changes and emits nothing.",
  trigger: {
    kind: "http",
    method: "post",
    path: "/api/{userId}/tasks/{taskId}/complete",
    summary: "Complete a task",
    params: TaskParams,
    response: { status: 200, description: "The completed task.", schema: TaskJson },
  },
});
