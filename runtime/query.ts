/**
 * A request's query parameters as a definition's query schema expects them: a
 * parameter the schema declares as an array (e.g. `tag`) gets every value given,
 * in order; any other gets its one value, or, when it is repeated, all of them,
 * so that schema refuses it (400 naming the parameter) instead of one copy
 * silently winning.
 */
import type { z } from "zod";

const WRAPPERS = new Set(["optional", "default", "prefault", "nullable", "readonly", "catch"]);

/** Whether `schema` (under optional/default/…) is an array: a repeatable parameter. */
export function isRepeatable(schema: z.ZodType): boolean {
  let type = schema as unknown as { def: { type: string; innerType?: unknown } };
  while (WRAPPERS.has(type.def.type) && type.def.innerType) type = type.def.innerType as typeof type;
  return type.def.type === "array";
}

export function queryValues(schema: z.ZodObject, given: Record<string, string[]>): Record<string, string | string[]> {
  const shape = schema.shape as Record<string, z.ZodType>;
  return Object.fromEntries(
    Object.entries(given).map(([name, values]) => {
      const declared = shape[name];
      return [name, (declared && isRepeatable(declared)) || values.length > 1 ? values : values[0]!];
    }),
  );
}
