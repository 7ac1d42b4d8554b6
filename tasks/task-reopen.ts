/**
 * Reopening a completed task, and what that means for a recurring series.
 *
 * Completing an instance of a series makes onTaskCompleted create the next one.
 * Reopening undoes the completion, so it undoes that too: the next instance is
 * deleted while it is still untouched (open and never changed), and completing
 * the reopened one again creates it afresh. Once the next instance has been
 * changed or completed, the series has moved on: the reopen is refused (409)
 * rather than lose that work or leave two open instances standing for one step.
 * A completion whose next instance is not created yet is covered from the other
 * side: onTaskCompleted creates nothing for an instance that is open again
 * (see isReopened); both lock the reopened row, so one of them always sees the other.
 */
import { HttpProblem } from "../runtime/problem.js";
import { sql, type Transaction } from "../runtime/database.js";
import { TASK_COLUMNS, type Task } from "./task-store.js";

/** Reopens the task if it is completed; null when it is missing or open (nothing changes then). */
export async function reopenCompletedTask(tx: Transaction, userId: string, id: string): Promise<Task | null> {
  const [task] = await tx.query<Task>(sql`
    UPDATE tasks SET completed = false, completed_at = NULL, updated_at = ${new Date()}
    WHERE id = ${id}::uuid AND user_id = ${userId} AND completed = true
    RETURNING ${TASK_COLUMNS}`);
  return task ?? null;
}

/**
 * The instance after `task` in its series, deleted and returned when untouched
 * (a new row's updated_at is its created_at); undefined when there is none.
 * Throws 409 when it was changed or completed.
 */
export async function withdrawNextInstance(tx: Transaction, task: Task): Promise<Task | undefined> {
  const [next] = await tx.query<Task>(sql`
    SELECT ${TASK_COLUMNS} FROM tasks WHERE series_id = ${task.seriesId}::uuid AND occurrence = ${task.occurrence + 1} FOR UPDATE`);
  if (!next) return undefined;
  if (next.completed || next.updatedAt.getTime() !== next.createdAt.getTime()) {
    throw new HttpProblem(
      409,
      `The next instance of this series (${next.id}) has been ${next.completed ? "completed" : "changed"} since: reopen or delete that one first.`,
    );
  }
  await tx.execute(sql`DELETE FROM tasks WHERE id = ${next.id}::uuid`);
  return next;
}

/** Whether the task exists and is open again; locks it so a concurrent reopen waits for the caller's transaction. */
export async function isReopened(tx: Transaction, id: string): Promise<boolean> {
  const [row] = await tx.query<{ completed: boolean }>(sql`SELECT completed FROM tasks WHERE id = ${id}::uuid FOR SHARE`);
  return row !== undefined && !row.completed;
}
