/**
 * What changed in a task, field by field: carried by task.updated (so a consumer
 * needs no earlier state to tell what an update did) and shown in a task's history.
 */
import { isDeepStrictEqual } from "node:util";
import * as z from "zod";
import type { TaskJson } from "./task-schema.js";

/** The fields a user sees change; ids, the series position and timestamps of the row itself are not among them. */
export const TRACKED_FIELDS = ["title", "description", "priority", "tags", "dueAt", "remindAt", "recurrence", "timeZone", "completed", "completedAt"] as const;
export type TrackedField = (typeof TRACKED_FIELDS)[number];

/** Every tracked field holds one of these (tags a list of strings, completed a boolean, the rest a string or null). */
const FieldValue = z.union([z.string(), z.boolean(), z.array(z.string()), z.null()]);
export const FieldChange = z.object({ from: FieldValue, to: FieldValue });
export const TaskChanges = z.partialRecord(z.enum(TRACKED_FIELDS), FieldChange);
export type TaskChanges = z.infer<typeof TaskChanges>;

/** The tracked fields whose value differs between `before` and `after`. */
export function diffTask(before: TaskJson, after: TaskJson): TaskChanges {
  const changes: TaskChanges = {};
  for (const field of TRACKED_FIELDS) {
    if (!isDeepStrictEqual(before[field], after[field])) changes[field] = { from: before[field], to: after[field] };
  }
  return changes;
}

/** A new task as changes from nothing: every tracked field that holds a value. */
export function creationChanges(task: TaskJson): TaskChanges {
  const changes: TaskChanges = {};
  for (const field of TRACKED_FIELDS) {
    const value = task[field];
    if (value !== null && value !== false && !(Array.isArray(value) && value.length === 0)) changes[field] = { from: null, to: value };
  }
  return changes;
}
