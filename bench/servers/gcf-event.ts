/**
 * The same consumer as a Google Cloud Functions Framework HTTP function (Dapr
 * posts the structured CloudEvent; the framework's express app parses it).
 * Run by the framework's own CLI: `functions-framework --target=onTaskCompleted`.
 */
import type { Request, Response } from "@google-cloud/functions-framework";
import pg from "pg";
import { DAPR_HTTP_PORT, NO_DB, POOL_SIZE, databaseUrl } from "./env.js";
import { handleTaskCompleted, readTaskCompleted } from "./event-work.js";
import { createPublisher } from "./publisher.js";

const pool = NO_DB ? undefined : new pg.Pool({ connectionString: databaseUrl(), max: POOL_SIZE });
const publish = createPublisher(DAPR_HTTP_PORT);

export async function onTaskCompleted(req: Request, res: Response): Promise<void> {
  if (req.method === "GET" && (req.path === "/healthz" || req.path === "/readyz")) {
    // /readyz, like taskfn's: the database answers.
    if (req.path === "/readyz") await pool?.query("SELECT 1");
    res.json({ status: "ok" });
    return;
  }
  const event = readTaskCompleted(req.body);
  if (!event) {
    res.json({ status: "DROP" });
    return;
  }
  try {
    if (pool) await handleTaskCompleted(pool, publish, event.id, event.data, "/bench/gcf");
    res.json({ status: "SUCCESS" });
  } catch {
    res.json({ status: "RETRY" });
  }
}
