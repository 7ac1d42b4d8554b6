/**
 * Every function's definition with its real handler factory, by name: the
 * catalog is definition-only, so this is where the contract suite finds the
 * handler that goes with each definition.
 */
import type { FunctionRuntime, HandlerFactory } from "../runtime/app.js";
import type { FunctionDefinition, Trigger } from "../runtime/types.js";
import { completeTask } from "../functions/complete-task/definition.js";
import { createCompleteTaskHandler } from "../functions/complete-task/handler.js";
import { createTask } from "../functions/create-task/definition.js";
import { createCreateTaskHandler } from "../functions/create-task/handler.js";
import { deleteTask } from "../functions/delete-task/definition.js";
import { createDeleteTaskHandler } from "../functions/delete-task/handler.js";
import { getTask } from "../functions/get-task/definition.js";
import { createGetTaskHandler } from "../functions/get-task/handler.js";
import { listTasks } from "../functions/list-tasks/definition.js";
import { createListTasksHandler } from "../functions/list-tasks/handler.js";
import { onReminderDue } from "../functions/on-reminder-due/definition.js";
import { createOnReminderDueHandler } from "../functions/on-reminder-due/handler.js";
import { onTaskCompleted } from "../functions/on-task-completed/definition.js";
import { createOnTaskCompletedHandler } from "../functions/on-task-completed/handler.js";
import { relayOutbox } from "../functions/relay-outbox/definition.js";
import { createRelayOutboxHandler } from "../functions/relay-outbox/handler.js";
import { sendReminder } from "../functions/send-reminder/definition.js";
import { createSendReminderHandler } from "../functions/send-reminder/handler.js";
import { updateTask } from "../functions/update-task/definition.js";
import { createUpdateTaskHandler } from "../functions/update-task/handler.js";
import { createTestApp, type TestApp } from "./runtime.js";

export interface TestableFunction {
  definition: FunctionDefinition;
  /** Builds the function's app the way serve.ts does, on `runtime`. */
  app(runtime: FunctionRuntime, security?: { appApiToken?: string }): TestApp;
}

function testable<T extends Trigger>(definition: FunctionDefinition<T>, factory: HandlerFactory<T>): TestableFunction {
  return { definition, app: (runtime, security) => createTestApp(definition, factory, runtime, security) };
}

export const HANDLER_FACTORIES: Readonly<Record<string, TestableFunction>> = Object.fromEntries(
  [
    testable(createTask, createCreateTaskHandler),
    testable(listTasks, createListTasksHandler),
    testable(getTask, createGetTaskHandler),
    testable(updateTask, createUpdateTaskHandler),
    testable(completeTask, createCompleteTaskHandler),
    testable(deleteTask, createDeleteTaskHandler),
    testable(onTaskCompleted, createOnTaskCompletedHandler),
    testable(onReminderDue, (runtime) => createOnReminderDueHandler(runtime)),
    testable(sendReminder, createSendReminderHandler),
    testable(relayOutbox, (runtime) => createRelayOutboxHandler(runtime)),
  ].map((f) => [f.definition.name, f]),
);
