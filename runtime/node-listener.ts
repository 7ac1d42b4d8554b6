/**
 * How a function's app meets Node's HTTP server. Everything goes through Hono
 * (@hono/node-server's listener), except the one route Dapr calls for every event
 * of a topic function: that is answered on node:http directly, with the same
 * delivery, body reading, token check and replies as the app's own route.
 *
 * Why: the benchmark measured the subscriber route without database work at 0.53×
 * a hand-written node:http server through Hono, 0.88× this way. Per event, Hono
 * and @hono/node-server build a WHATWG Request and Response and dispatch through
 * the router, which costs more than parsing and validating the event itself.
 */
import type { IncomingMessage, RequestListener, ServerResponse } from "node:http";
import type { Hono } from "hono";
import { readIncomingText } from "./body.js";
import { daprTokenCheck } from "./dapr-token.js";
import { createEventDelivery, MAX_EVENT_BYTES, REPLY_BODIES, subscriberPath, type DaprStatus, type EventDelivery } from "./topic-trigger.js";
import type { EventHandler, FunctionDefinition, HandlerFor, TopicTrigger, Trigger } from "./types.js";

export interface DirectEventRoute {
  trigger: TopicTrigger;
  deliver: EventDelivery;
  /** APP_API_TOKEN: a request without it falls through to the app, which refuses it. */
  appApiToken: string | undefined;
}

/** A topic function's subscriber route, delivering to `handler`; none for other triggers. */
export function directEventRoute<T extends Trigger>(
  definition: FunctionDefinition<T>,
  handler: HandlerFor<T>,
  deps: Parameters<typeof createEventDelivery>[2] & { appApiToken: string | undefined },
): DirectEventRoute | undefined {
  if (definition.trigger.kind !== "topic") return undefined;
  const topic = definition as FunctionDefinition<TopicTrigger>;
  return { trigger: topic.trigger, deliver: createEventDelivery(topic, handler as EventHandler<TopicTrigger>, deps), appApiToken: deps.appApiToken };
}

/**
 * Asynchronous because @hono/node-server is loaded here, when the server is about
 * to listen, not at start-up: its module body subclasses the global Request, which
 * makes Node load undici, whose HTTP parser a startup snapshot cannot hold
 * (scripts/build-snapshot.ts).
 */
export async function createNodeListener(app: Hono, direct?: DirectEventRoute): Promise<RequestListener> {
  const { getRequestListener } = await import("@hono/node-server");
  const viaHono = getRequestListener(app.fetch);
  if (!direct) return viaHono;
  const path = subscriberPath(direct.trigger);
  const tokenMatches = daprTokenCheck(direct.appApiToken);
  const isDirect = (req: IncomingMessage) => req.method === "POST" && req.url === path && tokenMatches(req.headers["dapr-api-token"] as string | undefined);

  return (req, res) => {
    if (!isDirect(req)) return void viaHono(req, res);
    readIncomingText(req, MAX_EVENT_BYTES)
      // Unreadable (over the limit, connection broken): delivered as undefined, i.e. dropped.
      .then(direct.deliver, () => direct.deliver(undefined))
      // deliver maps every handler outcome itself; this is the last guard: never acknowledge a failure.
      .catch((): DaprStatus => "RETRY")
      .then((status) => reply(res, status));
  };
}

function reply(res: ServerResponse, status: DaprStatus): void {
  const body = REPLY_BODIES[status];
  res.writeHead(200, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(body) }).end(body);
}
