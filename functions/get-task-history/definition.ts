import { defineFunction } from "../../runtime/contract.js";
import { HistoryPage, TaskHistoryQuery } from "../../tasks/task-history.js";
import { TaskParams } from "../../tasks/task-schema.js";

export const getTaskHistory = defineFunction({
  name: "getTaskHistory",
  appId: "get-task-history",
  port: 3113,
  description: "Returns a task's history from its events, oldest first, a page at a time; it outlives the task.",
  trigger: {
    kind: "http",
    method: "get",
    path: "/api/{userId}/tasks/{taskId}/history",
    summary: "Get a task's history",
    params: TaskParams,
    query: TaskHistoryQuery,
    response: {
      status: 200,
      description: "A page of the task's events, oldest first, each with what it changed; pass nextCursor as cursor for the next one.",
      schema: HistoryPage,
    },
  },
});
