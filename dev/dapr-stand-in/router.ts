/**
 * Dapr's routing rules: each rule's CEL `match` is evaluated over the envelope
 * as `event`; the first rule that is true gives the path, a rule without a
 * match (the `default` route) always matches, and nothing matching means the
 * event is not for this app.
 */
import { parse } from "@marcbachmann/cel-js";

export interface RouteRule {
  /** CEL over `event`; empty for the default route. */
  match: string;
  path: string;
}

/** Returns the path to deliver to, or undefined; throws when an expression fails or is not boolean. */
export type Router = (event: Record<string, unknown>) => string | undefined;

export function createRouter(rules: readonly RouteRule[]): Router {
  const compiled = rules.map((rule) => ({ ...rule, evaluate: rule.match ? parse(rule.match) : undefined }));
  return (event) => {
    for (const rule of compiled) {
      if (!rule.evaluate) return rule.path;
      const result: unknown = rule.evaluate({ event });
      if (typeof result !== "boolean") throw new Error(`the result of match expression ${rule.match} was not a boolean`);
      if (result) return rule.path;
    }
    return undefined;
  };
}
