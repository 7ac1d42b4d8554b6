import { defineFunction } from "../../runtime/contract.js";
import { TaskJson, TaskParams } from "../../tasks/task-schema.js";

export const getTask = defineFunction({
  name: "getTask",
  appId: "get-task",
  port: 3103,
  description: "Returns one of the user's tasks.",
  trigger: {
    kind: "http",
    method: "get",
    path: "/api/{userId}/tasks/{taskId}",
    summary: "Get a task",
    params: TaskParams,
    response: { status: 200, description: "The task.", schema: TaskJson },
  },
});
