/**
 * A function's HTTP listener on Node: where every request enters, in production
 * (serve.ts) and in every test (test/runtime.ts serves this same listener).
 * Everything goes through the function's Hono app except what is answered on
 * node:http here:
 *
 * - Dapr's per-event POST of a topic function: token check, body limit,
 *   delivery and reply, in this one place. The benchmark measured the
 *   subscriber route without database work at 0.53× a hand-written node:http
 *   server through Hono, 0.88× this way (`BENCH_PARTS=1 npm run bench`): per
 *   event, Hono and @hono/node-server build a WHATWG Request and Response and
 *   dispatch through the router, which costs more than the event's own parsing
 *   and validation.
 * - GET /healthz and a successful GET /readyz, with the app's bodies, and
 *   @hono/node-server is loaded only once the first probe was answered (or a
 *   request needs the app): its module body subclasses the global Request,
 *   which makes Node load undici, and that cost a cold start more than
 *   everything else after a startup snapshot (bench part 3, `node --cpu-prof`).
 *   A snapshot could not hold undici anyway (its HTTP parser; toolkit/build-snapshot.ts).
 *   A failing readiness check goes to the app, which answers the problem.
 */
import type { IncomingMessage, RequestListener, ServerResponse } from "node:http";
import { createFunctionApp, type AppSecurity, type FunctionRuntime } from "./app.js";
import { readIncomingText } from "./body.js";
import { daprTokenCheck, sidecarOnly } from "./dapr-token.js";
import { APP_HEALTH_CHECK } from "./lifecycle.js";
import { PROBLEM_CONTENT_TYPE } from "./problem.js";
import { HEALTHY, READY, readinessCheck } from "./readiness.js";
import { createEventDelivery, MAX_EVENT_BYTES, REPLY_BODIES, subscriberPath, type DaprStatus, type EventDelivery } from "./topic-trigger.js";
import type { EventHandler, FunctionDefinition, HandlerFor, TopicTrigger, Trigger } from "./types.js";

export function createFunctionListener<T extends Trigger>(
  definition: FunctionDefinition<T>,
  handler: HandlerFor<T>,
  runtime: FunctionRuntime,
  security: AppSecurity,
): RequestListener {
  const app = createFunctionApp(definition, handler, runtime, security);
  let viaHono: RequestListener | undefined;
  let loading: Promise<RequestListener> | undefined;
  const loadHono = () => (loading ??= import("@hono/node-server").then(({ getRequestListener }) => (viaHono = getRequestListener(app.fetch))));
  const toHono = (req: IncomingMessage, res: ServerResponse) => (viaHono ? viaHono(req, res) : void loadHono().then((listener) => listener(req, res)));
  const ready = readinessCheck(runtime.db, runtime.log);
  const events =
    definition.trigger.kind === "topic"
      ? eventRoute(definition as FunctionDefinition<TopicTrigger>, handler as EventHandler<TopicTrigger>, runtime, security)
      : undefined;

  return (req, res) => {
    if (events && req.method === "POST" && req.url === events.path) {
      events.answer(req, res);
    } else if (req.method === "GET" && req.url === "/healthz") {
      send(res, 200, "application/json", JSON.stringify(HEALTHY));
      void loadHono();
    } else if (req.method === "GET" && req.url === APP_HEALTH_CHECK.path) {
      void loadHono();
      void ready().then((ok) => (ok ? send(res, 200, "application/json", JSON.stringify(READY)) : toHono(req, res)));
    } else {
      toHono(req, res);
    }
  };
}

function eventRoute(definition: FunctionDefinition<TopicTrigger>, handler: EventHandler<TopicTrigger>, runtime: FunctionRuntime, security: AppSecurity) {
  const deliver: EventDelivery = createEventDelivery(definition, handler, runtime);
  const tokenMatches = daprTokenCheck(security.appApiToken);
  const refused = JSON.stringify(sidecarOnly().toJSON());
  return {
    path: subscriberPath(definition.trigger),
    answer(req: IncomingMessage, res: ServerResponse): void {
      if (!tokenMatches(req.headers["dapr-api-token"] as string | undefined)) return send(res, 401, PROBLEM_CONTENT_TYPE, refused);
      readIncomingText(req, MAX_EVENT_BYTES)
        // Unreadable (over the limit, connection broken): delivered as undefined, i.e. dropped.
        .then(deliver, () => deliver(undefined))
        // deliver maps every handler outcome itself; this is the last guard: never acknowledge a failure.
        .catch((): DaprStatus => "RETRY")
        .then((status) => send(res, 200, "application/json", REPLY_BODIES[status]));
    },
  };
}

function send(res: ServerResponse, status: number, contentType: string, body: string): void {
  res.writeHead(status, { "Content-Type": contentType, "Content-Length": Buffer.byteLength(body) }).end(body);
}
