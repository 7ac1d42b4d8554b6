import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import type { Logger } from "pino";
import { jwtAuth, type AuthOptions } from "./auth.js";
import { mountBindingFunction } from "./binding-trigger.js";
import { PUBSUB_NAME, type DaprClient } from "./dapr-client.js";
import { daprApiToken } from "./dapr-token.js";
import { isTransientDatabaseError, type Database } from "./database.js";
import { invocationOf, mountHttpFunction } from "./http-trigger.js";
import { APP_HEALTH_CHECK } from "./lifecycle.js";
import { answerOtherMethods } from "./method-not-allowed.js";
import { HttpProblem, problemResponse } from "./problem.js";
import { HEALTHY, READY, readinessCheck } from "./readiness.js";
import { mountTopicFunction, subscriberPath } from "./topic-trigger.js";
import { contextOnlyTracer, type Tracer } from "./tracing.js";
import type { BindingTrigger, FunctionDefinition, HandlerFor, HttpTrigger, Trigger, TopicTrigger, HttpHandler, BindingHandler } from "./types.js";
import { createUnitOfWork, type UnitOfWork } from "./unit-of-work.js";

/** What the runtime gives every handler factory. */
export interface FunctionRuntime {
  db: Database;
  dapr: DaprClient;
  uow: UnitOfWork;
  log: Logger;
  tracer: Tracer;
}

/** The runtime of the function named `name`: everything it emits has the source `/taskfn/<name>`. */
export function createFunctionRuntime(
  name: string,
  { db, dapr, log, tracer = contextOnlyTracer }: Omit<FunctionRuntime, "uow" | "tracer"> & { tracer?: Tracer },
): FunctionRuntime {
  return { db, dapr, log, tracer, uow: createUnitOfWork({ db, dapr, pubsub: PUBSUB_NAME, log, tracer, source: `/taskfn/${name}` }) };
}

export interface AppSecurity {
  /** Required for HTTP functions. */
  auth?: AuthOptions;
  /** APP_API_TOKEN: the token the sidecar must present on Dapr-facing routes. */
  appApiToken?: string;
}

export type HandlerFactory<T extends Trigger> = (runtime: FunctionRuntime) => HandlerFor<T>;

function toProblem(error: unknown, log: Logger): HttpProblem {
  if (error instanceof HttpProblem) return error;
  if (error instanceof HTTPException) return new HttpProblem(error.status, error.message);
  if (isTransientDatabaseError(error)) {
    log.warn({ err: error }, "database unavailable");
    return new HttpProblem(503, "The task store is unavailable; try again shortly.", { headers: { "retry-after": "1" } });
  }
  log.error({ err: error }, "unhandled error");
  return new HttpProblem(500, "Something went wrong on our side.");
}

/** Builds the Hono app of one function: health, readiness, and its trigger's routes. */
export function createFunctionApp<T extends Trigger>(
  definition: FunctionDefinition<T>,
  handler: HandlerFor<T>,
  runtime: FunctionRuntime,
  security: AppSecurity,
): Hono {
  const app = new Hono();
  const { log, tracer } = runtime;
  const daprAuth = daprApiToken({ token: security.appApiToken });

  const ready = readinessCheck(runtime.db, log);
  app.get("/healthz", (c) => c.json(HEALTHY));
  app.get(APP_HEALTH_CHECK.path, async (c) => {
    if (!(await ready())) throw new HttpProblem(503, "The database is unreachable.");
    return c.json(READY);
  });

  const trigger: Trigger = definition.trigger;
  switch (trigger.kind) {
    case "http":
      if (!security.auth) throw new Error(`${definition.name}: HTTP functions need auth options`);
      mountHttpFunction(app, definition as FunctionDefinition<HttpTrigger>, handler as HttpHandler<HttpTrigger>, {
        auth: jwtAuth(security.auth),
        log,
        tracer,
      });
      break;
    case "topic":
      mountTopicFunction(app, definition as FunctionDefinition<TopicTrigger>, { daprAuth });
      break;
    case "binding":
      mountBindingFunction(app, definition as FunctionDefinition<BindingTrigger>, handler as BindingHandler, { log, tracer, daprAuth });
      break;
  }

  // A topic function's event POST is answered on node:http (node-listener.ts); other methods there get 405 here.
  answerOtherMethods(app, trigger.kind === "topic" ? [{ method: "POST", path: subscriberPath(trigger) }] : []);
  app.notFound(() => problemResponse(new HttpProblem(404, "No such route.")));
  app.onError((error, c) => problemResponse(toProblem(error, invocationOf(c)?.log ?? log)));
  return app;
}
