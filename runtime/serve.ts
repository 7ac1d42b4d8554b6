import { startupSnapshot } from "node:v8";
import { createFunctionRuntime, type HandlerFactory } from "./app.js";
import { readConfig } from "./config.js";
import { createDaprClient } from "./dapr-client.js";
import { createDatabase } from "./database.js";
import { createHttpServer } from "./http-server.js";
import { SHUTDOWN_DEADLINE_SECONDS } from "./lifecycle.js";
import { createLogger, type Logger } from "./logger.js";
import { createFunctionListener } from "./node-listener.js";
import { createTracer, type Tracer } from "./tracing.js";
import type { FunctionDefinition, Trigger } from "./types.js";

/**
 * The entry point of every function process: read the environment, wire the
 * runtime, listen, and on SIGTERM stop accepting, let in-flight work finish,
 * then close the pool and export the spans still buffered. While a startup snapshot is built (toolkit/build-snapshot.ts)
 * it only names what to run once the snapshot is started: there the environment,
 * connections, server and timers are those of the process that runs.
 */
export function serveFunction<T extends Trigger>(definition: FunctionDefinition<T>, createHandler: HandlerFactory<T>): void {
  const start = () => startFunction(definition, createHandler);
  if (startupSnapshot.isBuildingSnapshot()) startupSnapshot.setDeserializeMainFunction(start);
  else start();
}

function startFunction<T extends Trigger>(definition: FunctionDefinition<T>, createHandler: HandlerFactory<T>): void {
  const log = createLogger(definition.name);
  createTracer(definition.appId, process.env).then(
    (tracer) => serveWith(definition, createHandler, log, tracer),
    (error: unknown) => {
      log.fatal({ err: error }, "could not start the OpenTelemetry SDK");
      log.flush(() => process.exit(1));
    },
  );
}

function serveWith<T extends Trigger>(definition: FunctionDefinition<T>, createHandler: HandlerFactory<T>, log: Logger, tracer: Tracer): void {
  const config = readConfig(process.env, { port: definition.port, needsAuth: definition.trigger.kind === "http" });
  const db = createDatabase({
    url: config.databaseUrl,
    maxConnections: config.databasePoolSize,
    onIdleError: (error) => log.warn({ err: error }, "an idle database connection broke; the pool replaces it"),
    statementSpans: tracer.statementSpans,
  });
  const dapr = createDaprClient({ baseUrl: config.daprBaseUrl, apiToken: config.daprApiToken });
  const runtime = createFunctionRuntime(definition.name, { db, dapr, log, tracer });
  const handler = createHandler(runtime);
  const listener = createFunctionListener(definition, handler, runtime, { auth: config.auth, appApiToken: config.appApiToken });

  let stopping = false;
  // Once stopping, every answer closes its connection: a keep-alive client (or daprd)
  // that keeps sending would otherwise hold close() open until the deadline kills
  // whatever it was doing.
  const server = createHttpServer((req, res) => {
    if (stopping) res.shouldKeepAlive = false;
    listener(req, res);
  }).listen(config.port, config.host, () => {
    log.info({ port: config.port, trigger: definition.trigger.kind }, `${definition.name} listening`);
  });

  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, "shutting down");
    setTimeout(() => {
      log.error("in-flight work did not finish in time; exiting");
      log.flush();
      process.exit(1);
    }, SHUTDOWN_DEADLINE_SECONDS * 1000).unref();
    server.close(async () => {
      await db.close();
      await tracer.shutdown().catch((error: unknown) => log.warn({ err: error }, "could not export the last spans"));
      log.flush(() => process.exit(0));
    });
    // Keep-alive connections with no request in flight would hold close() open.
    server.closeIdleConnections();
  };
  process.once("SIGTERM", () => shutdown("SIGTERM"));
  process.once("SIGINT", () => shutdown("SIGINT"));
}
