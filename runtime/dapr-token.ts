import { timingSafeEqual } from "node:crypto";
import { createMiddleware } from "hono/factory";
import type { MiddlewareHandler } from "hono";
import { HttpProblem } from "./problem.js";

/** Whether a `dapr-api-token` header value is APP_API_TOKEN (compared in constant time); always true when none is set. */
export function daprTokenCheck(token: string | undefined): (given: string | undefined) => boolean {
  const expected = token ? Buffer.from(token) : undefined;
  return (given) => {
    if (!expected) return true;
    const presented = Buffer.from(given ?? "");
    return presented.length === expected.length && timingSafeEqual(presented, expected);
  };
}

/** The refusal of a call that did not come from the sidecar. */
export function sidecarOnly(): HttpProblem {
  return new HttpProblem(401, "This route is reserved for the Dapr sidecar: dapr-api-token is missing or wrong.");
}

/**
 * Guards the routes only the sidecar may call. When APP_API_TOKEN is set, Dapr
 * sends it as `dapr-api-token` on every call to the app; anything else is refused.
 */
export function daprApiToken({ token }: { token: string | undefined }): MiddlewareHandler {
  const matches = daprTokenCheck(token);
  return createMiddleware(async (c, next) => {
    if (!matches(c.req.header("dapr-api-token"))) throw sidecarOnly();
    await next();
  });
}
