import { defineFunction } from "../../runtime/contract.js";
import { CreateTaskBody } from "../../tasks/task-input.js";
import { TaskJson, UserParams } from "../../tasks/task-schema.js";

export const createTask = defineFunction({
  name: "createTask",
  appId: "create-task",
  port: 3101,
  description: "Creates a task (optionally recurring, with a reminder) and emits task.created.",
  trigger: {
    kind: "http",
    method: "post",
    path: "/api/{userId}/tasks",
    summary: "Create a task",
    params: UserParams,
    body: CreateTaskBody,
    response: { status: 201, description: "The created task; Location points at it.", schema: TaskJson },
  },
});
