/**
 * How a function's app meets Node's HTTP server. Everything goes through Hono
 * (@hono/node-server's listener), except the one route Dapr calls for every event
 * of a topic function: that is answered on node:http directly, with the same
 * delivery, body reading, token check and replies as the app's own route (and the
 * probes, see createNodeListener).
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
import { APP_HEALTH_CHECK } from "./lifecycle.js";
import { HEALTHY, READY } from "./readiness.js";
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

export interface NodeRoutes {
  /** A topic function's subscriber route. */
  direct?: DirectEventRoute;
  /** The readiness check behind GET /readyz. */
  ready: () => Promise<boolean>;
}

/**
 * GET /healthz and a successful GET /readyz are answered here as well, with the
 * app's bodies, and @hono/node-server is loaded only once the first probe was
 * answered (or a request needs the app): its module body subclasses the global
 * Request, which makes Node load undici, and that cost a cold start more than
 * everything else after a startup snapshot (bench part 3, `node --cpu-prof`).
 * A snapshot could not hold undici anyway (its HTTP parser; toolkit/build-snapshot.ts).
 * A failing readiness check goes to the app, which answers the problem.
 */
export function createNodeListener(app: Hono, { direct, ready }: NodeRoutes): RequestListener {
  let viaHono: RequestListener | undefined;
  let loading: Promise<RequestListener> | undefined;
  const loadHono = () => (loading ??= import("@hono/node-server").then(({ getRequestListener }) => (viaHono = getRequestListener(app.fetch))));
  const toHono = (req: IncomingMessage, res: ServerResponse) => (viaHono ? viaHono(req, res) : void loadHono().then((listener) => listener(req, res)));
  const path = direct && subscriberPath(direct.trigger);
  const tokenMatches = daprTokenCheck(direct?.appApiToken);
  const isDirect = (req: IncomingMessage) => req.url === path && req.method === "POST" && tokenMatches(req.headers["dapr-api-token"] as string | undefined);

  return (req, res) => {
    if (direct && isDirect(req)) {
      readIncomingText(req, MAX_EVENT_BYTES)
        // Unreadable (over the limit, connection broken): delivered as undefined, i.e. dropped.
        .then(direct.deliver, () => direct.deliver(undefined))
        // deliver maps every handler outcome itself; this is the last guard: never acknowledge a failure.
        .catch((): DaprStatus => "RETRY")
        .then((status) => reply(res, status));
    } else if (req.method === "GET" && req.url === "/healthz") {
      sendJson(res, HEALTHY);
      void loadHono();
    } else if (req.method === "GET" && req.url === APP_HEALTH_CHECK.path) {
      void loadHono();
      void ready().then((ok) => (ok ? sendJson(res, READY) : toHono(req, res)));
    } else {
      toHono(req, res);
    }
  };
}

function reply(res: ServerResponse, status: DaprStatus): void {
  send(res, REPLY_BODIES[status]);
}

function sendJson(res: ServerResponse, body: object): void {
  send(res, JSON.stringify(body));
}

function send(res: ServerResponse, body: string): void {
  res.writeHead(200, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(body) }).end(body);
}
