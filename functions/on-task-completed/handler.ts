import { PoisonEventError, type EventHandler, type FunctionRuntime } from "../../runtime/contract.js";
import { taskfnEvent } from "../../tasks/events.js";
import { InvalidRecurrenceError, nextOccurrence } from "../../tasks/recurrence.js";
import { insertNextInstance, toTaskJson } from "../../tasks/task-store.js";
import type { onTaskCompleted } from "./definition.js";

/**
 * Works from the completed snapshot in the event, not the current row: the
 * next instance follows from what was completed, whatever happened since.
 */
export function createOnTaskCompletedHandler(_runtime: FunctionRuntime): EventHandler<typeof onTaskCompleted.trigger> {
  return async ({ data: completed }, { tx, emit, log }) => {
    if (!completed.recurrence || !completed.dueAt) return;
    let dueAt: Date | null;
    try {
      dueAt = nextOccurrence({ rule: completed.recurrence, dueAt: new Date(completed.dueAt), occurrence: completed.occurrence });
    } catch (error) {
      // Deterministic: retrying cannot make the rule valid.
      if (error instanceof InvalidRecurrenceError) throw new PoisonEventError(`recurrence "${completed.recurrence}": ${error.message}`);
      throw error;
    }
    if (!dueAt) {
      log.info({ seriesId: completed.seriesId }, "series finished");
      return;
    }
    const next = await insertNextInstance(tx, { previous: completed, dueAt });
    if (!next) return; // another delivery already created it
    const json = toTaskJson(next);
    emit(taskfnEvent("task.created", json.id, json.userId, json));
  };
}
