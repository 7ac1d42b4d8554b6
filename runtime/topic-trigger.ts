import type { Context, Hono, MiddlewareHandler } from "hono";
import type { Logger } from "pino";
import { parseCloudEvent } from "./cloud-event.js";
import { PoisonEventError } from "./errors.js";
import { unstorableTextErrors } from "./text.js";
import type { EventHandler, FunctionDefinition, ReceivedEvent, TopicTrigger } from "./types.js";
import { readTraceContext } from "./trace-context.js";
import type { Tracer } from "./tracing.js";
import type { UnitOfWork } from "./unit-of-work.js";

/** Dapr's programmatic subscription entry, as served on GET /dapr/subscribe. */
export interface DaprSubscription {
  pubsubname: string;
  topic: string;
  routes: { rules: { match: string; path: string }[]; default: string };
  deadLetterTopic: string;
}

/** Dapr's own default limit on a request body (--dapr-http-max-request-size, 4 MB). */
export const MAX_EVENT_BYTES = 4 * 1024 * 1024;

export type DaprStatus = "SUCCESS" | "RETRY" | "DROP";

/** Dapr's replies are constant: serialised once, not per delivery. */
export const REPLY_BODIES: Readonly<Record<DaprStatus, string>> = {
  SUCCESS: JSON.stringify({ status: "SUCCESS" }),
  RETRY: JSON.stringify({ status: "RETRY" }),
  DROP: JSON.stringify({ status: "DROP" }),
};

function reply(c: Context, status: DaprStatus): Response {
  // A fresh header record each time: @hono/node-server adds Content-Length to it.
  return c.body(REPLY_BODIES[status], 200, { "Content-Type": "application/json" });
}

/** One route for every event type the function handles. */
export function subscriberPath(trigger: TopicTrigger): string {
  return `/events/${trigger.topic}`;
}

export function eventTypesOf(trigger: TopicTrigger): string[] {
  return Object.keys(trigger.events);
}

/** Where the other event types of the topic go: acknowledged, nothing else. */
export const OTHER_EVENTS_PATH = "/events/other";

/**
 * One rule per event type the function handles, and a default route that acknowledges
 * the rest: Dapr sends an event that matches no route to the dead-letter topic,
 * which would fill it with every healthy event of the other types.
 */
export function toSubscription({ trigger }: FunctionDefinition<TopicTrigger>): DaprSubscription {
  return {
    pubsubname: trigger.pubsub,
    topic: trigger.topic,
    routes: {
      rules: eventTypesOf(trigger).map((type) => ({ match: `event.type == "${type}"`, path: subscriberPath(trigger) })),
      default: OTHER_EVENTS_PATH,
    },
    deadLetterTopic: trigger.deadLetterTopic,
  };
}

/**
 * The whole outcome → Dapr reply mapping. An event that can never succeed is
 * dropped; every other failure is retried, so exhausted retries reach the
 * dead-letter topic instead of being acknowledged and lost.
 */
export function toDaprStatus(outcome: { error?: unknown }): DaprStatus {
  if (outcome.error === undefined) return "SUCCESS";
  return outcome.error instanceof PoisonEventError ? "DROP" : "RETRY";
}

/**
 * `escapes`: the JSON text holds a \u escape. Text read as valid UTF-8 has no lone
 * surrogate and JSON allows no raw NUL in a string, so without one no string in
 * the event can be unstorable, and the walk over every string is skipped.
 */
function readEvent<T extends TopicTrigger>(trigger: T, body: unknown, escapes: boolean): ReceivedEvent<unknown> {
  const unstorable = escapes ? unstorableTextErrors(body, "event") : [];
  if (unstorable.length > 0) throw new PoisonEventError(`${unstorable[0]!.field}: ${unstorable[0]!.message}`);
  let envelope;
  try {
    envelope = parseCloudEvent(body);
  } catch (error) {
    throw new PoisonEventError(`not a CloudEvent 1.0: ${(error as Error).message}`);
  }
  const schema = Object.hasOwn(trigger.events, envelope.type) ? trigger.events[envelope.type] : undefined;
  if (!schema) {
    throw new PoisonEventError(`unexpected event type ${envelope.type}; this function handles ${eventTypesOf(trigger).join(", ")}`);
  }
  const data = schema.safeParse(envelope.data);
  if (!data.success) {
    const where = data.error.issues.map((i) => `data.${i.path.join(".")}: ${i.message}`).join("; ");
    throw new PoisonEventError(`data does not match ${envelope.type}: ${where}`);
  }
  return { ...envelope, data: data.data } as ReceivedEvent<unknown>;
}

/** Delivers one event body (undefined: it could not be read) and says what Dapr should do with it. */
export type EventDelivery = (text: string | undefined) => Promise<DaprStatus>;

/**
 * The subscriber route's work apart from HTTP: parse, validate, run the handler
 * once in the unit of work, log what went wrong, and map the outcome to Dapr's reply.
 * Each delivery is a consumer span, a child of the span the event's traceparent names.
 */
export function createEventDelivery<T extends TopicTrigger>(
  definition: FunctionDefinition<T>,
  handler: EventHandler<T>,
  deps: { uow: UnitOfWork; log: Logger; tracer: Tracer },
): EventDelivery {
  const consumer = definition.appId;
  return async (text) => {
    let body: unknown;
    try {
      body = text === undefined ? undefined : JSON.parse(text);
    } catch {
      body = undefined;
    }
    const meta = body && typeof body === "object" ? (body as { id?: unknown; type?: unknown; traceparent?: unknown; tracestate?: unknown }) : {};
    const span = deps.tracer.startSpan(
      `process ${typeof meta.type === "string" ? meta.type : "event"}`,
      "consumer",
      readTraceContext(meta.traceparent, meta.tracestate),
      {
        "messaging.consumer.group.name": consumer,
        "messaging.message.id": typeof meta.id === "string" ? meta.id : "",
      },
    );
    const log = deps.log.child({ ceId: meta.id, trace_id: span.traceId });
    let outcome: { error?: unknown; result?: string };
    try {
      const event = readEvent(definition.trigger, body, text?.includes("\\u") ?? false) as Parameters<EventHandler<T>>[0];
      const result = await deps.tracer.withSpan(span, () =>
        deps.uow.runOnce(consumer, event.id, span.context, (tx, emit) => handler(event, { tx, emit, log, trace: span.context })),
      );
      outcome = { result };
    } catch (error) {
      outcome = { error };
    }
    const status = toDaprStatus(outcome);
    if (status === "DROP") log.warn({ reason: (outcome.error as Error).message }, "event dropped");
    else if (status === "RETRY") log.error({ err: outcome.error }, "event failed; Dapr will retry");
    else if (outcome.result === "duplicate") log.info("duplicate delivery acknowledged");
    if (status !== "SUCCESS") span.fail(status);
    span.end({ "taskfn.dapr.status": status });
    return status;
  };
}

/**
 * The topic function's routes on its Hono app: its subscription, and the default
 * route for the topic's other event types. Its own event route is served on
 * node:http (node-listener.ts).
 */
export function mountTopicFunction<T extends TopicTrigger>(app: Hono, definition: FunctionDefinition<T>, deps: { daprAuth: MiddlewareHandler }): void {
  app.get("/dapr/subscribe", deps.daprAuth, (c) => c.json([toSubscription(definition)]));
  app.post(OTHER_EVENTS_PATH, deps.daprAuth, (c) => reply(c, "SUCCESS"));
}
