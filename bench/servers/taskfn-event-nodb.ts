/**
 * onTaskCompleted's app exactly as serve.ts builds and serves it (Hono, the topic
 * trigger's delivery on node:http, CloudEvent parsing, zod, pino), with a unit of
 * work that touches no database:
 * the framework overhead alone. Only non-recurring events are sent to it, for
 * which the handler returns before using its transaction.
 */
import { createServer } from "node:http";
import { onTaskCompleted } from "../../functions/on-task-completed/definition.js";
import { createOnTaskCompletedHandler } from "../../functions/on-task-completed/handler.js";
import type { FunctionRuntime } from "../../runtime/app.js";
import { createDaprClient } from "../../runtime/dapr-client.js";
import type { Database, Transaction } from "../../runtime/database.js";
import { createLogger } from "../../runtime/logger.js";
import { createFunctionListener } from "../../runtime/node-listener.js";
import type { UnitOfWork } from "../../runtime/unit-of-work.js";
import { DAPR_HTTP_PORT, PORT } from "./env.js";

// Never used: no route of this variant reaches the database (see above).
const noDatabase = {} as Database;
const noTransaction = {} as Transaction;

const uow: UnitOfWork = {
  run: () => Promise.reject(new Error("this variant has no database")),
  async runOnce(_consumer, _eventId, work) {
    await work(noTransaction, () => {});
    return "processed";
  },
};
const log = createLogger(onTaskCompleted.name);
const runtime: FunctionRuntime = { db: noDatabase, dapr: createDaprClient({ baseUrl: `http://127.0.0.1:${DAPR_HTTP_PORT}` }), uow, log };
const handler = createOnTaskCompletedHandler(runtime);
createServer(createFunctionListener(onTaskCompleted, handler, runtime, {})).listen(PORT, "127.0.0.1");

// Exit through process.exit so that `node --cpu-prof` writes its profile.
process.once("SIGTERM", () => process.exit(0));
