/**
 * Outbox events relayOutbox set aside after the sidecar kept refusing them
 * (runtime/outbox-relay.ts), as `npm run dlq` lists and re-queues them.
 */
import { sql, type SqlClient } from "../runtime/database.js";

export interface ParkedEvent {
  id: string;
  topic: string;
  partitionKey: string;
  type: string;
  attempts: number;
  lastError: string | null;
  parkedAt: Date;
}

export function listParked(db: SqlClient): Promise<ParkedEvent[]> {
  return db.query<ParkedEvent>(sql`
    SELECT id::text AS id, topic, partition_key AS "partitionKey", cloud_event->>'type' AS type, attempts, last_error AS "lastError", parked_at AS "parkedAt"
    FROM outbox_events WHERE parked_at IS NOT NULL AND published_at IS NULL ORDER BY seq`);
}

/**
 * Hands parked events back to relayOutbox with a fresh count of attempts. They
 * go out after the later events of their key that were published meanwhile.
 */
export function requeueParked(db: SqlClient, ids: readonly string[] | "all"): Promise<number> {
  const which = ids === "all" ? sql`TRUE` : sql`id = ANY(${[...ids]}::uuid[])`;
  return db.execute(sql`UPDATE outbox_events SET parked_at = NULL, attempts = 0 WHERE parked_at IS NOT NULL AND published_at IS NULL AND ${which}`);
}
