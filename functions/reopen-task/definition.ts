import { defineFunction } from "../../runtime/contract.js";
import { TaskJson, TaskParams } from "../../tasks/task-schema.js";

export const reopenTask = defineFunction({
  name: "reopenTask",
  appId: "reopen-task",
  port: 3111,
  description:
    "Reopens a completed task and emits task.reopened; reopening an open task changes and emits nothing. A recurring instance's untouched next instance is deleted with it (task.deleted); a changed or completed one answers 409.",
  trigger: {
    kind: "http",
    method: "post",
    path: "/api/{userId}/tasks/{taskId}/reopen",
    summary: "Reopen a completed task",
    params: TaskParams,
    response: { status: 200, description: "The open task.", schema: TaskJson },
    problems: { 409: "The next instance of this recurring task was changed or completed since: reopen or delete that one first." },
  },
});
