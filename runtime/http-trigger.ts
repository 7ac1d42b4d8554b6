import type { Context, Hono, MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { readBodyText } from "./body.js";
import { HttpProblem } from "./problem.js";
import type { FunctionDefinition, HttpHandler, HttpInput, HttpResult, HttpTrigger, InvocationContext } from "./types.js";
import { parseInput } from "./validation.js";

export const MAX_BODY_BYTES = 64 * 1024;
const JSON_MEDIA_TYPE = /^application\/([\w.-]+\+)?json$/i;

/** `/api/{userId}/tasks/{taskId}` (OpenAPI) → `/api/:userId/tasks/:taskId` (Hono). */
export function toHonoPath(path: string): string {
  return path.replace(/\{(\w+)\}/g, ":$1");
}

/** The whole handler-result → HTTP mapping. */
export function toHttpResponse(result: HttpResult): Response {
  if (result.status === 204 || result.body === undefined) {
    return new Response(null, { status: result.status, headers: result.headers });
  }
  return new Response(JSON.stringify(result.body), {
    status: result.status,
    headers: { ...result.headers, "content-type": "application/json" },
  });
}

async function readJsonBody(c: Context): Promise<unknown> {
  const mediaType = (c.req.header("content-type") ?? "").split(";")[0]!.trim();
  if (!JSON_MEDIA_TYPE.test(mediaType)) {
    throw new HttpProblem(415, `Send the body as application/json (got ${mediaType || "no content type"}).`);
  }
  const text = await readBodyText(c, MAX_BODY_BYTES);
  try {
    return JSON.parse(text);
  } catch {
    throw new HttpProblem(400, "The body is not valid JSON.", { errors: [{ field: "body", message: "Malformed JSON." }] });
  }
}

const limitBody = bodyLimit({
  maxSize: MAX_BODY_BYTES,
  onError: () => {
    throw new HttpProblem(413, `The body exceeds ${MAX_BODY_BYTES} bytes.`);
  },
});

/**
 * Mounts an HTTP function: authenticate (401/403), then size and media type
 * (413/415), then path, query and body against the definition's schemas (400),
 * then the handler. Nothing reaches the handler unvalidated.
 */
export function mountHttpFunction<T extends HttpTrigger>(
  app: Hono,
  definition: FunctionDefinition<T>,
  handler: HttpHandler<T>,
  deps: { auth: MiddlewareHandler; ctx: InvocationContext },
): void {
  const { trigger } = definition;
  const sizeGuard: MiddlewareHandler = trigger.body ? limitBody : (_c, next) => next();
  app.on(trigger.method.toUpperCase(), toHonoPath(trigger.path), deps.auth, sizeGuard, async (c) => {
    const input = {
      params: parseInput(trigger.params, c.req.param(), "path"),
      query: trigger.query ? parseInput(trigger.query, c.req.query(), "query") : undefined,
      body: trigger.body ? parseInput(trigger.body, await readJsonBody(c), "body") : undefined,
    } as HttpInput<T>;
    return toHttpResponse(await handler(input, deps.ctx));
  });
}
