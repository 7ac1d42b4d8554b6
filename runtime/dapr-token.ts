import { timingSafeEqual } from "node:crypto";
import { createMiddleware } from "hono/factory";
import type { MiddlewareHandler } from "hono";
import { HttpProblem } from "./problem.js";

/**
 * Guards the routes only the sidecar may call. When APP_API_TOKEN is set, Dapr
 * sends it as `dapr-api-token` on every call to the app; anything else is refused.
 */
export function daprApiToken({ token }: { token: string | undefined }): MiddlewareHandler {
  const expected = token ? Buffer.from(token) : undefined;
  return createMiddleware(async (c, next) => {
    if (expected) {
      const given = Buffer.from(c.req.header("dapr-api-token") ?? "");
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
        throw new HttpProblem(401, "This route is reserved for the Dapr sidecar: dapr-api-token is missing or wrong.");
      }
    }
    await next();
  });
}
