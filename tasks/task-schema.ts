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
  // Events written before tasks had a zone carry none: they were all UTC.
  timeZone: z.string().default("UTC"),
  seriesId: z.uuid(),
  occurrence: z.number().int().min(1),
  completed: z.boolean(),
  completedAt: z.iso.datetime().nullable(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});
export type TaskJson = z.infer<typeof TaskJson>;

export const TASK_STATUSES = ["open", "completed", "all"] as const;
export const TASK_SORTS = ["createdAt", "dueAt", "priority", "updatedAt"] as const;
export type TaskSort = (typeof TASK_SORTS)[number];

const queryInstant = z.iso.datetime({ offset: true }).transform((value) => new Date(value));

/** `tag` may be repeated (every tag must match); every other parameter is given at most once. */
export const ListTasksQuery = z
  .strictObject({
    status: z.enum(TASK_STATUSES).default("open").describe("open, completed or all tasks."),
    tag: z.array(z.string().trim().min(1).max(40)).max(20).optional().describe("Repeatable (`tag=a&tag=b`): tasks carrying every given tag."),
    priority: z.enum(PRIORITIES).optional().describe("Tasks of this priority only."),
    dueBefore: queryInstant.optional().describe("Tasks due before this instant (exclusive), ISO 8601 with offset."),
    dueAfter: queryInstant.optional().describe("Tasks due at or after this instant (inclusive), ISO 8601 with offset."),
    overdue: z
      .enum(["true", "false"])
      .transform((value) => value === "true")
      .optional()
      .describe("true: open tasks due before now."),
    q: z.string().trim().min(1).max(200).optional().describe("Case-insensitive text in the title or the description."),
    sort: z.enum(TASK_SORTS).default("createdAt").describe("Sort key; ties are broken by id. Tasks without dueAt come last ascending, first descending."),
    order: z.enum(["asc", "desc"]).default("desc"),
    limit: decimalInteger({ min: 1, max: 100 }).default(50),
    cursor: z.string().min(1).max(200).optional().describe("nextCursor of the previous page, from the same query (only limit may change)."),
  })
  .superRefine((query, ctx) => {
    if (query.overdue && query.status === "completed") {
      ctx.addIssue({ code: "custom", path: ["overdue"], message: "Overdue tasks are open: drop status=completed or overdue=true." });
    }
  });
export type ListTasksQuery = z.output<typeof ListTasksQuery>;

export const TaskPage = z.object({ items: z.array(TaskJson), nextCursor: z.string().nullable() });

export const UserParams = z.strictObject({ userId: z.string().min(1).max(128) });
export const TaskParams = z.strictObject({ userId: z.string().min(1).max(128), taskId: z.uuid() });
