/** The limit for event delivery: onTaskCompleted's route on bare node:http + pg. */
import { createServer } from "node:http";
import pg from "pg";
import { DAPR_HTTP_PORT, NO_DB, POOL_SIZE, PORT, databaseUrl } from "./env.js";
import { handleTaskCompleted, readTaskCompleted, type Status } from "./event-work.js";
import { parseJson, readBody, sendJson } from "./http-io.js";
import { createPublisher } from "./publisher.js";

const pool = NO_DB ? undefined : new pg.Pool({ connectionString: databaseUrl(), max: POOL_SIZE });
const publish = createPublisher(DAPR_HTTP_PORT);

async function deliver(text: string): Promise<Status> {
  const event = readTaskCompleted(parseJson(text));
  if (!event) return "DROP";
  if (!pool) return "SUCCESS";
  try {
    await handleTaskCompleted(pool, publish, event.id, event.data, "/bench/raw");
    return "SUCCESS";
  } catch {
    return "RETRY";
  }
}

createServer(async (req, res) => {
  if (req.method === "POST" && req.url === "/events/task.completed") {
    sendJson(res, 200, { status: await deliver(await readBody(req)) });
  } else if (req.method === "GET" && req.url === "/healthz") {
    sendJson(res, 200, { status: "ok" });
  } else if (req.method === "GET" && req.url === "/readyz") {
    // Like taskfn's /readyz: the database answers.
    await pool?.query("SELECT 1");
    sendJson(res, 200, { status: "ready" });
  } else {
    sendJson(res, 404, { error: "no such route" });
  }
}).listen(PORT, "127.0.0.1");

// Exit through process.exit so that `node --cpu-prof` writes its profile.
process.once("SIGTERM", () => process.exit(0));
