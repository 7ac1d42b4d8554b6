import type { z } from "zod";
import { HttpProblem, type FieldError } from "./problem.js";

/** Where a value came from, for messages: "body.title", "query.limit", "path.taskId". */
export type InputPart = "body" | "query" | "path";

export function fieldErrors(error: z.ZodError, part: InputPart): FieldError[] {
  return error.issues.flatMap((issue) => {
    const base = [part, ...issue.path.map(String)].join(".");
    if (issue.code === "unrecognized_keys") {
      return issue.keys.map((key) => ({ field: `${base}.${key}`, message: "Unknown field." }));
    }
    return [{ field: base, message: issue.message }];
  });
}

/** Parses `value` with `schema` or throws a 400 problem naming every offending field. */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown, part: InputPart): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const errors = fieldErrors(result.error, part);
  const detail = errors.map((e) => `${e.field}: ${e.message}`).join("; ");
  throw new HttpProblem(400, detail, { errors });
}
