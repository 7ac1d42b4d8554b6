/**
 * The transactional outbox: events are rows written in the same transaction as
 * the state change they describe, then handed to the Dapr sidecar. A row stays
 * unpublished until the sidecar accepted it, so a crash or a sidecar outage
 * delays an event but never loses it (relayOutbox picks up what is left).
 */
import type { Logger } from "pino";
import { withTraceContext, type TaskfnCloudEvent } from "./cloud-event.js";
import type { DaprClient } from "./dapr-client.js";
import { join, sql, type SqlClient, type Transaction } from "./database.js";
import type { TraceContext } from "./trace-context.js";
import type { Tracer } from "./tracing.js";

export interface OutboxEvent {
  id: string;
  topic: string;
  partitionKey: string;
  cloudEvent: TaskfnCloudEvent;
  /** Of the work that emitted it; absent on rows written before the outbox kept it. */
  trace?: TraceContext;
}

export async function insertOutboxEvents(tx: Transaction, events: OutboxEvent[]): Promise<void> {
  const rows = events.map(
    (e) => sql`(${e.id}::uuid, ${e.topic}, ${e.partitionKey}, ${JSON.stringify(e.cloudEvent)}::jsonb, ${e.trace?.traceparent ?? null}, ${e.trace?.tracestate ?? null})`,
  );
  await tx.execute(sql`INSERT INTO outbox_events (id, topic, partition_key, cloud_event, traceparent, tracestate) VALUES ${join(rows)}`);
}

export interface PublishDeps {
  dapr: DaprClient;
  pubsub: string;
  log: Logger;
  tracer: Tracer;
}

/**
 * Hands events to the sidecar in order and stops at the first failure, so one
 * user's events never overtake each other. Returns the ids the sidecar accepted.
 * Each publish is a span in the trace of the work that emitted the event, whoever
 * publishes it (that work right after its commit, or relayOutbox later); the
 * event carries that span on to its consumers.
 */
export async function publishInOrder({ dapr, pubsub, log, tracer }: PublishDeps, events: OutboxEvent[]): Promise<string[]> {
  const published: string[] = [];
  for (const event of events) {
    const span = tracer.startSpan(`publish ${event.topic}`, "producer", event.trace, { "messaging.destination.name": event.topic, "messaging.message.id": event.id });
    try {
      await dapr.publish({ pubsub, topic: event.topic, cloudEvent: withTraceContext(event.cloudEvent, span.context), partitionKey: event.partitionKey, trace: span.context });
      published.push(event.id);
      span.end();
    } catch (error) {
      log.warn({ err: error, eventId: event.id, topic: event.topic, trace_id: span.traceId }, "publish failed; the event stays in the outbox for relayOutbox");
      span.fail((error as Error).message);
      span.end();
      break;
    }
  }
  return published;
}

export async function markPublished(db: SqlClient, ids: string[]): Promise<void> {
  if (ids.length === 0) return;
  await db.execute(sql`UPDATE outbox_events SET published_at = now(), attempts = attempts + 1 WHERE id = ANY(${ids}::uuid[])`);
}

/**
 * Locks a batch of unpublished rows older than `minAgeMs` (younger rows are still
 * being published by the function that wrote them), in write order. SKIP LOCKED
 * lets several relays run at once, each on its own rows.
 */
export async function claimUnpublishedEvents(tx: Transaction, { minAgeMs, limit }: { minAgeMs: number; limit: number }): Promise<OutboxEvent[]> {
  const rows = await tx.query<{ id: string; topic: string; partition_key: string; cloud_event: TaskfnCloudEvent; traceparent: string | null; tracestate: string | null }>(sql`
    SELECT id::text AS id, topic, partition_key, cloud_event, traceparent, tracestate
    FROM outbox_events
    WHERE published_at IS NULL AND created_at <= now() - make_interval(secs => ${minAgeMs / 1000})
    ORDER BY seq
    LIMIT ${limit}
    FOR UPDATE SKIP LOCKED`);
  return rows.map((row) => ({
    id: row.id,
    topic: row.topic,
    partitionKey: row.partition_key,
    cloudEvent: row.cloud_event,
    ...(row.traceparent ? { trace: row.tracestate ? { traceparent: row.traceparent, tracestate: row.tracestate } : { traceparent: row.traceparent } } : {}),
  }));
}
