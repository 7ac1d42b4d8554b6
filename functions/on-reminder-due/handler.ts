import type { BindingHandler, FunctionRuntime } from "../../runtime/contract.js";
import { taskfnEvent } from "../../tasks/events.js";
import { claimDueReminders } from "../../tasks/task-store.js";

export interface ReminderClaimOptions {
  batchSize: number;
  /** Bounds one tick's work; what is left waits for the next tick. */
  maxBatches: number;
}

/**
 * Each batch is one transaction: claim (SKIP LOCKED), mark sent, write the
 * reminder.due events. Replicas ticking together take disjoint batches.
 */
export function createOnReminderDueHandler(
  { uow }: FunctionRuntime,
  { batchSize, maxBatches }: ReminderClaimOptions = { batchSize: 100, maxBatches: 20 },
): BindingHandler {
  return async () => {
    let claimed = 0;
    for (let batch = 0; batch < maxBatches; batch++) {
      const count = await uow.run(async (tx, emit) => {
        const due = await claimDueReminders(tx, { now: new Date(), limit: batchSize });
        for (const task of due) {
          emit(
            taskfnEvent("reminder.due", task.id, task.userId, {
              taskId: task.id,
              userId: task.userId,
              title: task.title,
              dueAt: task.dueAt?.toISOString() ?? null,
              remindAt: task.remindAt!.toISOString(),
            }),
          );
        }
        return due.length;
      });
      claimed += count;
      if (count < batchSize) break;
    }
    return { claimed };
  };
}
