import type { IncomingMessage } from "node:http";
import type { Context, Hono, MiddlewareHandler } from "hono";
import type { Logger } from "pino";
import { bodyLimit } from "hono/body-limit";
import { readBodyText, readIncomingText } from "./body.js";
import { HttpProblem } from "./problem.js";
import { readTraceContext } from "./trace-context.js";
import type { Tracer } from "./tracing.js";
import type { FunctionDefinition, HttpHandler, HttpInput, HttpResult, HttpTrigger, InvocationContext } from "./types.js";
import { queryValues } from "./query.js";
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

/** Bodies the size guard already read from Node's request, by request. */
const readBodies = new WeakMap<Context, string>();

async function readJsonBody(c: Context): Promise<unknown> {
  const mediaType = (c.req.header("content-type") ?? "").split(";")[0]!.trim();
  if (!JSON_MEDIA_TYPE.test(mediaType)) {
    throw new HttpProblem(415, `Send the body as application/json (got ${mediaType || "no content type"}).`);
  }
  const text = readBodies.get(c) ?? (await readBodyText(c, MAX_BODY_BYTES));
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
 * 413 before anything but authentication. Under @hono/node-server the body is read
 * here from Node's request, which refuses past the limit (a declared content-length
 * at once, a chunked body as it arrives). Hono's bodyLimit is only for the WHATWG
 * path (`app.request()`): it reads `c.req.raw`, which under @hono/node-server builds
 * a whole WHATWG Request per request (undici Request, AbortController, a web stream
 * that starts pulling the socket), ~100 µs of CPU per createTask; and as that stream
 * drained a chunked body, readBodyText then waited for an end that had already
 * passed: such a request was never answered.
 */
const guardBodySize: MiddlewareHandler = async (c, next) => {
  const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
  if (!incoming) return limitBody(c, next);
  readBodies.set(c, await readIncomingText(incoming, MAX_BODY_BYTES));
  await next();
};

/** Each request's log and span, by request. */
const invocations = new WeakMap<Context, InvocationContext>();

/** The request's log and trace, once traceRequest has started its span. */
export function invocationOf(c: Context): InvocationContext | undefined {
  return invocations.get(c);
}

/**
 * A server span per request, continuing the caller's W3C trace context (or a new
 * root), with the request's logger carrying its trace_id; first, so refusals are
 * traced too.
 */
function traceRequest({ method, path }: HttpTrigger, { log, tracer }: { log: Logger; tracer: Tracer }): MiddlewareHandler {
  const name = `${method.toUpperCase()} ${path}`;
  const attributes = { "http.request.method": method.toUpperCase(), "http.route": path };
  return async (c, next) => {
    const span = tracer.startSpan(name, "server", readTraceContext(c.req.header("traceparent"), c.req.header("tracestate")), attributes);
    invocations.set(c, { log: log.child({ trace_id: span.traceId }), trace: span.context });
    await tracer.withSpan(span, next);
    // Hono has turned any error into the response by now (app.onError).
    if (c.res.status >= 500) span.fail(`HTTP ${c.res.status}`);
    span.end({ "http.response.status_code": c.res.status });
  };
}

/**
 * Mounts an HTTP function: authenticate (401/403), then size and media type
 * (413/415), then path, query and body against the definition's schemas (400),
 * then the handler. Nothing reaches the handler unvalidated.
 */
export function mountHttpFunction<T extends HttpTrigger>(
  app: Hono,
  definition: FunctionDefinition<T>,
  handler: HttpHandler<T>,
  deps: { auth: MiddlewareHandler; log: Logger; tracer: Tracer },
): void {
  const { trigger } = definition;
  const sizeGuard: MiddlewareHandler = trigger.body ? guardBodySize : (_c, next) => next();
  app.on(trigger.method.toUpperCase(), toHonoPath(trigger.path), traceRequest(trigger, deps), deps.auth, sizeGuard, async (c) => {
    const input = {
      params: parseInput(trigger.params, c.req.param(), "path"),
      query: trigger.query ? parseInput(trigger.query, queryValues(trigger.query, c.req.queries()), "query") : undefined,
      body: trigger.body ? parseInput(trigger.body, await readJsonBody(c), "body") : undefined,
    } as HttpInput<T>;
    return toHttpResponse(await handler(input, invocations.get(c)!));
  });
}
