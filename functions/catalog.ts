/**
 * Every taskfn function, by definition only (no handlers, no I/O). The one list
 * the gateway, the Dapr stand-in, the build, the manifests and the docs read.
 */
import { completeTask } from "./complete-task/definition.js";
import { createTask } from "./create-task/definition.js";
import { deleteTask } from "./delete-task/definition.js";
import { getTask } from "./get-task/definition.js";
import { listTasks } from "./list-tasks/definition.js";
import { onReminderDue } from "./on-reminder-due/definition.js";
import { onTaskCompleted } from "./on-task-completed/definition.js";
import { relayOutbox } from "./relay-outbox/definition.js";
import { reopenTask } from "./reopen-task/definition.js";
import { sendReminder } from "./send-reminder/definition.js";
import { updateTask } from "./update-task/definition.js";
import type { BindingTrigger, FunctionDefinition, HttpTrigger, TopicTrigger, Trigger } from "../runtime/types.js";

export const FUNCTIONS: readonly FunctionDefinition[] = [
  createTask,
  listTasks,
  getTask,
  updateTask,
  completeTask,
  reopenTask,
  deleteTask,
  onTaskCompleted,
  onReminderDue,
  sendReminder,
  relayOutbox,
];

function ofKind<K extends Trigger["kind"]>(kind: K) {
  return FUNCTIONS.filter((f) => f.trigger.kind === kind) as FunctionDefinition<Extract<Trigger, { kind: K }>>[];
}

export const HTTP_FUNCTIONS: FunctionDefinition<HttpTrigger>[] = ofKind("http");
export const TOPIC_FUNCTIONS: FunctionDefinition<TopicTrigger>[] = ofKind("topic");
export const BINDING_FUNCTIONS: FunctionDefinition<BindingTrigger>[] = ofKind("binding");

/** The folder under functions/ (and dist/) of a function: its app id. */
export function functionFolder(definition: FunctionDefinition): string {
  return definition.appId;
}
