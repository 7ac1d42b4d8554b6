/**
 * The request bodies that create and change a task. Apart from task-schema.ts
 * because they check RRULEs with rrule: only the functions that take these
 * bodies load it.
 */
import * as z from "zod";
import { InvalidRecurrenceError, parseRecurrence, recurrenceHorizonProblem } from "./recurrence.js";
import { PRIORITIES } from "./task-schema.js";
import { canonicalTimeZone } from "./time-zone.js";

const instant = z.iso.datetime({ offset: true }).transform((value) => new Date(value));
// Something a person can see: not only spaces, invisible format characters (U+200B…),
// controls, combining marks or the blank look-alikes (Hangul fillers, the blank braille cell).
const VISIBLE = /[^\p{White_Space}\p{Cc}\p{Cf}\p{M}\u115F\u1160\u3164\uFFA0\u2800]/u;
const visible = (max: number) => z.string().trim().min(1, { abort: true }).max(max).regex(VISIBLE, "Needs at least one visible character.");
const title = visible(200);
const description = z.string().max(10_000);
const priority = z.enum(PRIORITIES);
// Tags are a set: a repeated tag (after trimming) is kept once, where it first appears.
const tags = z
  .array(visible(40))
  .max(20)
  .transform((list) => [...new Set(list)]);
const recurrence = z
  .string()
  .max(500)
  .superRefine((rule, ctx) => {
    try {
      parseRecurrence(rule);
    } catch (error) {
      if (!(error instanceof InvalidRecurrenceError)) throw error;
      ctx.addIssue({ code: "custom", message: `Invalid recurrence: ${error.message}.` });
    }
  });

const timeZone = z
  .string()
  .max(64)
  .transform((name, ctx) => {
    const zone = canonicalTimeZone(name);
    if (zone === undefined) ctx.addIssue({ code: "custom", message: "Unknown time zone: give an IANA name such as Europe/Berlin or UTC." });
    return zone ?? name;
  })
  .describe("IANA time zone the recurrence is expanded in (e.g. Europe/Berlin); dueAt and remindAt stay instants.");

const RECURRENCE_NEEDS_DUE = "A recurring task needs a dueAt.";

export const CreateTaskBody = z
  .strictObject({
    title,
    description: description.nullish(),
    priority: priority.default("medium"),
    tags: tags.default([]),
    dueAt: instant.nullish(),
    remindAt: instant.nullish(),
    recurrence: recurrence.nullish(),
    timeZone: timeZone.default("UTC"),
  })
  .superRefine((body, ctx) => {
    const problem = recurrenceProblem({ recurrence: body.recurrence ?? null, dueAt: body.dueAt ?? null, timeZone: body.timeZone });
    if (problem) ctx.addIssue({ code: "custom", path: [problem.field], message: problem.message });
  });
export type CreateTaskBody = z.output<typeof CreateTaskBody>;

/** Every field optional; `null` clears an optional field. */
export const UpdateTaskBody = z
  .strictObject({
    title: title.optional(),
    description: description.nullable().optional(),
    priority: priority.optional(),
    tags: tags.optional(),
    dueAt: instant.nullable().optional(),
    remindAt: instant.nullable().optional(),
    recurrence: recurrence.nullable().optional(),
    timeZone: timeZone.optional(),
  })
  .refine((body) => Object.keys(body).length > 0, { message: "Give at least one field to change." });
export type UpdateTaskBody = z.output<typeof UpdateTaskBody>;

/**
 * The rules that need the whole task (checked again after a patch is merged): a
 * recurring task needs a dueAt, and its rule must recur from there within the
 * horizon an expansion may search (a rule that never does would cost that search
 * on every completion).
 */
export function recurrenceProblem(task: {
  recurrence: string | null;
  dueAt: Date | null;
  timeZone: string;
}): { field: "dueAt" | "recurrence"; message: string } | undefined {
  if (!task.recurrence) return undefined;
  if (!task.dueAt) return { field: "dueAt", message: RECURRENCE_NEEDS_DUE };
  // zod runs this check even when a field failed its own: a dueAt or zone that is not one has its issue already.
  if (!(task.dueAt instanceof Date) || canonicalTimeZone(task.timeZone) === undefined) return undefined;
  try {
    const problem = recurrenceHorizonProblem(task.recurrence, task.dueAt, task.timeZone);
    return problem ? { field: "recurrence", message: `Invalid recurrence: ${problem}.` } : undefined;
  } catch (error) {
    // An invalid rule has its own issue on the field already.
    if (error instanceof InvalidRecurrenceError) return undefined;
    throw error;
  }
}
