import type { EventHandler, FunctionRuntime, TriggerEvent } from "../../runtime/contract.js";
import { creationChanges, type TaskChanges } from "../../tasks/task-changes.js";
import { appendHistory } from "../../tasks/task-history.js";
import type { recordTaskHistory } from "./definition.js";

type TaskEvent = TriggerEvent<typeof recordTaskHistory.trigger>;

/** What the event changed, from the event alone: the history never reads the task, which may be gone. */
function changesOf(event: TaskEvent): TaskChanges {
  switch (event.type) {
    case "task.created":
      return creationChanges(event.data);
    case "task.updated":
      return event.data.changes;
    case "task.completed":
      return { completed: { from: false, to: true }, completedAt: { from: null, to: event.data.completedAt } };
    case "task.reopened":
      return { completed: { from: true, to: false } };
    default:
      // The type says it all (task.deleted), or a new type's changes are not known here yet.
      return {};
  }
}

/** The processed-event marker and the unique event id both keep a redelivery from adding a second entry. */
export function createRecordTaskHistoryHandler(_runtime: FunctionRuntime): EventHandler<typeof recordTaskHistory.trigger> {
  return async (event, { tx }) => {
    await appendHistory(tx, {
      eventId: event.id,
      userId: event.data.userId,
      taskId: event.data.id,
      type: event.type,
      occurredAt: event.time ? new Date(event.time) : new Date(),
      changes: changesOf(event),
    });
  };
}
