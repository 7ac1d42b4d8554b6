/**
 * The Task as the API shows it, and the requests that read it. These schemas
 * validate every request and document the API (/openapi.json); the bodies that
 * create and change a task are in task-input.ts.
 */
import * as z from "zod";
import { decimalInteger } from "../runtime/validation.js";

export const PRIORITIES = ["low", "medium", "high"] as const;

export const TaskJson = z.object({
  id: z.uuid(),
  userId: z.string(),
  title: z.string(),
  description: z.string().nullable(),
  priority: z.enum(PRIORITIES),
  tags: z.array(z.string()),
  dueAt: z.iso.datetime().nullable(),
  remindAt: z.iso.datetime().nullable(),
  recurrence: z.string().nullable(),
  seriesId: z.uuid(),
  occurrence: z.number().int().min(1),
  completed: z.boolean(),
  completedAt: z.iso.datetime().nullable(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});
export type TaskJson = z.infer<typeof TaskJson>;

export const TASK_STATUSES = ["open", "completed", "all"] as const;

export const ListTasksQuery = z.strictObject({
  status: z.enum(TASK_STATUSES).default("open"),
  limit: decimalInteger({ min: 1, max: 100 }).default(50),
  cursor: z.string().min(1).max(200).optional(),
});
export type ListTasksQuery = z.output<typeof ListTasksQuery>;

export const TaskPage = z.object({ items: z.array(TaskJson), nextCursor: z.string().nullable() });

export const UserParams = z.strictObject({ userId: z.string().min(1).max(128) });
export const TaskParams = z.strictObject({ userId: z.string().min(1).max(128), taskId: z.uuid() });
