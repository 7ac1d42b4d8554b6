/**
 * What a function's definition and handler use from the runtime, all of it:
 * the one file a handler author reads, and the only runtime/ module that
 * functions/<name>/definition.ts and handler.ts import (eslint enforces it).
 * main.ts hands the pair to serveFunction (serve.ts).
 */

// The definition: one per function, listed in functions/catalog.ts.
export { defineFunction } from "./define.js";
export type { BindingTrigger, FunctionDefinition, HttpMethod, HttpTrigger, TopicTrigger, Trigger } from "./types.js";

// The handler: a factory of the runtime, returning the handler its trigger calls.
export type { FunctionRuntime, HandlerFactory } from "./app.js";
export type {
  BindingHandler,
  EventContext,
  EventHandler,
  HttpHandler,
  HttpInput,
  HttpResult,
  InvocationContext,
  ReceivedEvent,
  TriggerEvent,
} from "./types.js";
export type { Emit, Transaction, UnitOfWork } from "./unit-of-work.js";

// Outcomes: a return is success; these say why not (toHttpResponse / toDaprStatus map them).
export { PoisonEventError, RetryableError, UnpublishableEventError } from "./errors.js";
export { HttpProblem } from "./problem.js";

// Publishing, for the outbox relay: the pub/sub component and the outbox's leased keys.
export { PUBSUB_NAME } from "./dapr-client.js";
export { publishEvent, type OutboxEvent } from "./outbox.js";
export { claimKeys, settleClaim, type ClaimOptions, type Refusal } from "./outbox-relay.js";
