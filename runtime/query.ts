/**
 * A request's query parameters as a definition's query schema expects them: a
 * parameter the schema declares as an array (e.g. `tag`) gets every value given,
 * in order; every other one is single-valued (singleValuedQuery refuses it repeated).
 */
import type { z } from "zod";
import { singleValuedQuery } from "./validation.js";

const WRAPPERS = new Set(["optional", "default", "prefault", "nullable", "readonly", "catch"]);

/** Whether `schema` (under optional/default/…) is an array: a repeatable parameter. */
export function isRepeatable(schema: z.ZodType): boolean {
  let type = schema as unknown as { def: { type: string; innerType?: unknown } };
  while (WRAPPERS.has(type.def.type) && type.def.innerType) type = type.def.innerType as typeof type;
  return type.def.type === "array";
}

export function queryValues(schema: z.ZodObject, given: Record<string, string[]>): Record<string, string | string[]> {
  const shape = schema.shape as Record<string, z.ZodType>;
  const repeatable = Object.entries(given).filter(([name]) => shape[name] !== undefined && isRepeatable(shape[name]));
  const single = Object.entries(given).filter(([name]) => !repeatable.some(([r]) => r === name));
  return { ...singleValuedQuery(Object.fromEntries(single)), ...Object.fromEntries(repeatable) };
}
