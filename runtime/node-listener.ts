/**
 * A function's HTTP server on Node: where every request enters, in production
 * (serve.ts) and in every test (test/runtime.ts serves this same listener on a
 * loopback port). Everything goes through the function's Hono app except Dapr's
 * per-event POST of a topic function, answered here on node:http: token check,
 * body limit, delivery and reply, in this one place.
 *
 * Why not through Hono: the benchmark measured the subscriber route without
 * database work at 0.53× a hand-written node:http server through Hono, 0.88×
 * this way (`BENCH_PARTS=1 npm run bench`). Per event, Hono and
 * @hono/node-server build a WHATWG Request and Response and dispatch through
 * the router, which costs more than parsing and validating the event itself.
 */
import type { RequestListener, ServerResponse } from "node:http";
import { getRequestListener } from "@hono/node-server";
import { createFunctionApp, type AppSecurity, type FunctionRuntime } from "./app.js";
import { readIncomingText } from "./body.js";
import { daprTokenCheck, sidecarOnly } from "./dapr-token.js";
import { PROBLEM_CONTENT_TYPE } from "./problem.js";
import { createEventDelivery, MAX_EVENT_BYTES, REPLY_BODIES, subscriberPath, type DaprStatus } from "./topic-trigger.js";
import type { EventHandler, FunctionDefinition, HandlerFor, TopicTrigger, Trigger } from "./types.js";

export function createFunctionListener<T extends Trigger>(
  definition: FunctionDefinition<T>,
  handler: HandlerFor<T>,
  runtime: FunctionRuntime,
  security: AppSecurity,
): RequestListener {
  const viaHono = getRequestListener(createFunctionApp(definition, handler, runtime, security).fetch);
  if (definition.trigger.kind !== "topic") return viaHono;

  const topic = definition as FunctionDefinition<TopicTrigger>;
  const deliver = createEventDelivery(topic, handler as EventHandler<TopicTrigger>, runtime);
  const path = subscriberPath(topic.trigger);
  const tokenMatches = daprTokenCheck(security.appApiToken);
  const refused = JSON.stringify(sidecarOnly().toJSON());

  return (req, res) => {
    if (req.method !== "POST" || (req.url !== path && !req.url?.startsWith(`${path}?`))) return void viaHono(req, res);
    if (!tokenMatches(req.headers["dapr-api-token"] as string | undefined)) return send(res, 401, PROBLEM_CONTENT_TYPE, refused);
    readIncomingText(req, MAX_EVENT_BYTES)
      // Unreadable (over the limit, connection broken): delivered as undefined, i.e. dropped.
      .then(deliver, () => deliver(undefined))
      // deliver maps every handler outcome itself; this is the last guard: never acknowledge a failure.
      .catch((): DaprStatus => "RETRY")
      .then((status) => send(res, 200, "application/json", REPLY_BODIES[status]));
  };
}

function send(res: ServerResponse, status: number, contentType: string, body: string): void {
  res.writeHead(status, { "Content-Type": contentType, "Content-Length": Buffer.byteLength(body) }).end(body);
}
