/**
 * The invocation contract of a taskfn function: what a definition declares and
 * what its handler receives and returns. Definitions are plain data (plus zod
 * schemas) so the gateway, the Dapr stand-in, the manifests and the docs can
 * import them without pulling in any side-effecting code.
 */
import type { z } from "zod";
import type { Logger } from "pino";
import type { TraceContext } from "./trace-context.js";
import type { Emit, Transaction } from "./unit-of-work.js";

export type HttpMethod = "get" | "post" | "patch" | "delete";

export interface HttpTrigger {
  kind: "http";
  method: HttpMethod;
  /** OpenAPI-style path, e.g. `/api/{userId}/tasks/{taskId}`; `{userId}` must equal the token's subject. */
  path: string;
  summary: string;
  params: z.ZodObject;
  query?: z.ZodObject;
  body?: z.ZodType;
  response: { status: 200 | 201 | 204; description: string; schema?: z.ZodType };
  /** Problem answers of this function beyond the ones every HTTP function may give, for the API docs. */
  problems?: Partial<Record<409, string>>;
}

export interface TopicTrigger {
  kind: "topic";
  pubsub: string;
  topic: string;
  /**
   * The CloudEvent types routed to the function, each with the schema of its
   * `data` (an event whose data fails it is dropped). Dapr routes the topic's
   * other types to a route that only acknowledges them.
   */
  events: Readonly<Record<string, z.ZodType>>;
  deadLetterTopic: string;
}

export interface BindingTrigger {
  kind: "binding";
  /** Name of the Dapr input binding component; Dapr POSTs to `/<binding>`. */
  binding: string;
}

export type Trigger = HttpTrigger | TopicTrigger | BindingTrigger;

export interface FunctionDefinition<T extends Trigger = Trigger> {
  /** camelCase name, e.g. `createTask`. */
  name: string;
  /** Dapr app id: the name in kebab-case. Also the Kafka consumer group of a topic function. */
  appId: string;
  /** Port the function listens on when run alone (overridden by PORT). */
  port: number;
  description: string;
  trigger: T;
}

type Output<S> = S extends z.ZodType ? z.output<S> : undefined;

export interface HttpInput<T extends HttpTrigger> {
  params: z.output<T["params"]>;
  query: Output<T["query"]>;
  body: Output<T["body"]>;
}

export interface HttpResult {
  status: 200 | 201 | 204;
  body?: unknown;
  headers?: Record<string, string>;
}

/** Per request, event or tick. */
export interface InvocationContext {
  /** Every line carries the invocation's trace_id. */
  log: Logger;
  /** The invocation's span: hand it to the unit of work, so the events it emits continue the trace. */
  trace: TraceContext;
}

export type HttpHandler<T extends HttpTrigger> = (input: HttpInput<T>, ctx: InvocationContext) => Promise<HttpResult>;

/** A CloudEvent as delivered by Dapr, with `data` already checked against the trigger's schema. */
export interface ReceivedEvent<D> {
  id: string;
  type: string;
  source: string;
  subject?: string;
  time?: string;
  partitionkey?: string;
  data: D;
}

export interface EventContext extends InvocationContext {
  /** The transaction that also records this event as processed: effects commit together or not at all. */
  tx: Transaction;
  emit: Emit;
}

type EventTypeOf<T extends TopicTrigger> = keyof T["events"] & string;

/** One of the trigger's events as delivered: a union over its types, narrowed by `type`. */
export type TriggerEvent<T extends TopicTrigger> = {
  [K in EventTypeOf<T>]: ReceivedEvent<z.output<T["events"][K]>> & { type: K };
}[EventTypeOf<T>];

export type EventHandler<T extends TopicTrigger> = (event: TriggerEvent<T>, ctx: EventContext) => Promise<void>;

/** Returns a short summary for the log and the binding's response body. */
export type BindingHandler = (ctx: InvocationContext) => Promise<Record<string, unknown>>;

export type HandlerFor<T extends Trigger> = T extends HttpTrigger ? HttpHandler<T> : T extends TopicTrigger ? EventHandler<T> : BindingHandler;
