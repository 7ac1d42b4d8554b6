import { defineFunction } from "../../runtime/contract.js";
import { ListTasksQuery, TaskPage, UserParams } from "../../tasks/task-schema.js";

export const listTasks = defineFunction({
  name: "listTasks",
  appId: "list-tasks",
  port: 3102,
  description: "Lists a user's tasks, newest first, a page at a time.",
  trigger: {
    kind: "http",
    method: "get",
    path: "/api/{userId}/tasks",
    summary: "List tasks",
    params: UserParams,
    query: ListTasksQuery,
    response: { status: 200, description: "A page of tasks; pass nextCursor as cursor for the next one.", schema: TaskPage },
  },
});
