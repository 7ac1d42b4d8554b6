import * as z from "zod";
import { invalidInput, type FieldError } from "./problem.js";
import { unstorableTextErrors } from "./text.js";

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

/**
 * Parses `value` with `schema` or throws a 400 problem naming every offending
 * field. Text that cannot be stored (see text.ts) is refused first, whatever the schema.
 */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown, part: InputPart): z.output<S> {
  const unstorable = unstorableTextErrors(value, part);
  if (unstorable.length > 0) throw invalidInput(unstorable);
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw invalidInput(fieldErrors(result.error, part));
}

/**
 * The query string as one value per name. Every query parameter is single-valued:
 * a repeated one (`status=open&status=bogus`) is refused rather than one of its
 * values silently chosen.
 */
export function singleValuedQuery(queries: Record<string, string[]>): Record<string, string> {
  const repeated = Object.keys(queries).filter((name) => queries[name]!.length > 1);
  if (repeated.length > 0) throw invalidInput(repeated.map((name) => ({ field: `query.${name}`, message: "Give this parameter once." })));
  return Object.fromEntries(Object.entries(queries).map(([name, values]) => [name, values[0]!]));
}

/** A whole number in plain decimal digits (no sign, spaces, hex, exponent or fraction), within bounds. */
export function decimalInteger({ min, max }: { min: number; max: number }) {
  return z
    .string()
    .regex(/^[0-9]{1,15}$/, `Must be a whole number from ${min} to ${max}, in decimal digits.`)
    .transform(Number)
    .pipe(z.number().int().min(min).max(max));
}
