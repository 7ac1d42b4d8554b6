import type { FunctionDefinition, Trigger } from "./types.js";

/** Identity at run time; keeps the trigger's exact schema types for the handler. */
export function defineFunction<T extends Trigger>(definition: FunctionDefinition<T>): FunctionDefinition<T> {
  return definition;
}
