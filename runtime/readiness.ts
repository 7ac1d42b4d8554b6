import type { Logger } from "pino";
import { sql, type Database } from "./database.js";

/** What GET /healthz answers: the process is up. */
export const HEALTHY = { status: "ok" } as const;
/** What GET /readyz answers when the function can do its work. */
export const READY = { status: "ready" } as const;

/** Whether the function can do its work: its database answers. Says why when not. */
export function readinessCheck(db: Database, log: Logger): () => Promise<boolean> {
  return async () => {
    try {
      await db.query(sql`SELECT 1`);
      return true;
    } catch (error) {
      log.warn({ err: error }, "not ready: database unreachable");
      return false;
    }
  };
}
