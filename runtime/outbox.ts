/**
 * The transactional outbox: events are rows written in the same transaction as
 * the state change they describe, then handed to the Dapr sidecar. A row stays
 * unpublished until the sidecar accepted it, so a crash or a sidecar outage
 * delays an event but never loses it (relayOutbox picks up what is left).
 */
import type { Logger } from "pino";
import { withTraceContext, type TaskfnCloudEvent } from "./cloud-event.js";
import type { DaprClient } from "./dapr-client.js";
import { sql, type Sql, type SqlClient, type Transaction } from "./database.js";
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

/** Namespaces the writers' per-key advisory locks (pg_advisory_xact_lock(class, key hash)). */
const WRITER_LOCK_CLASS = 0x7461736b; // "task"

/** What the writer of some events may publish right after its commit. */
export interface WrittenEvents {
  /** Leased to the writer: no older event of their keys still waits. */
  inline: OutboxEvent[];
  /**
   * Some of the others wait behind a key's oldest waiting event that nobody holds
   * (its publish failed, or its holder's lease ran out): the writer may claim and
   * publish them after its commit. Behind a held one they are its holder's to publish next.
   */
  unheldBefore: boolean;
}

/**
 * Writes `events` in the caller's transaction and says which may be published
 * right after commit, leased to the writer for `leaseMs`: the events of every
 * partition key with no older event still waiting. The others would overtake that
 * event, so they wait, unleased, for whoever publishes it (the writer that holds it
 * publishes what waits behind it next; see unit-of-work.ts) or else the relay.
 *
 * Writers of one key take turns (a transaction-scoped advisory lock on the key),
 * so within a key seq order is commit order, and the check for older events sees
 * every one of them: outbox_write_events (prisma/migrations/…_outbox_write_function)
 * takes the lock and then checks and inserts with a snapshot that includes the
 * previous writer's commit, in one round trip.
 */
export async function insertOutboxEvents(tx: Transaction, events: OutboxEvent[], leaseMs: number): Promise<WrittenEvents> {
  const older = await tx.query<{ partition_key: string; waits: boolean; unheld: boolean }>(writeEventsStatement(events, leaseMs));
  const blocked = new Set(older.filter((key) => key.waits).map((key) => key.partition_key));
  return { inline: events.filter((e) => !blocked.has(e.partitionKey)), unheldBefore: older.some((key) => key.unheld) };
}

/** The call of outbox_write_events: per key of `events`, whether an older event waits and whether one waits unheld. */
export function writeEventsStatement(events: OutboxEvent[], leaseMs: number): Sql {
  const rows = events.map((e) => ({
    id: e.id,
    topic: e.topic,
    partitionKey: e.partitionKey,
    cloudEvent: e.cloudEvent,
    traceparent: e.trace?.traceparent,
    tracestate: e.trace?.tracestate,
  }));
  return sql`SELECT partition_key, waits, unheld FROM outbox_write_events(${JSON.stringify(rows)}::jsonb, ${leaseMs}, ${WRITER_LOCK_CLASS})`;
}

/** Waits for the writers' lock of each key, until the transaction ends (outbox_lock_keys: in hash order, as every writer takes them). */
export async function lockKeysForWriting(tx: Transaction, keys: string[]): Promise<void> {
  await tx.query(sql`SELECT outbox_lock_keys(${keys}::text[], ${WRITER_LOCK_CLASS})`);
}

export interface PublishDeps {
  dapr: DaprClient;
  pubsub: string;
  log: Logger;
  tracer: Tracer;
}

/**
 * Hands one event to the sidecar as a span in the trace of the work that emitted
 * it, whoever publishes it (that work right after its commit, or relayOutbox
 * later); the event carries that span on to its consumers. Throws the sidecar's
 * refusal.
 */
export async function publishEvent({ dapr, pubsub, tracer }: Omit<PublishDeps, "log">, event: OutboxEvent): Promise<void> {
  const span = tracer.startSpan(`publish ${event.topic}`, "producer", event.trace, {
    "messaging.destination.name": event.topic,
    "messaging.message.id": event.id,
  });
  try {
    await dapr.publish({
      pubsub,
      topic: event.topic,
      cloudEvent: withTraceContext(event.cloudEvent, span.context),
      partitionKey: event.partitionKey,
      trace: span.context,
    });
  } catch (error) {
    span.fail((error as Error).message);
    throw error;
  } finally {
    span.end();
  }
}

/**
 * Hands events to the sidecar in order and stops at the first failure, so one
 * user's events never overtake each other. Returns the ids the sidecar accepted.
 */
export async function publishInOrder(deps: PublishDeps, events: OutboxEvent[]): Promise<string[]> {
  const published: string[] = [];
  for (const event of events) {
    try {
      await publishEvent(deps, event);
      published.push(event.id);
    } catch (error) {
      deps.log.warn(
        { err: error, eventId: event.id, topic: event.topic, traceparent: event.trace?.traceparent },
        "publish failed; the event stays in the outbox for relayOutbox",
      );
      break;
    }
  }
  return published;
}

/**
 * After a writer tried to publish the events it holds: marks the published ones,
 * ends its lease on all of them, and says whether other events of their keys wait,
 * in one round trip. It first waits for any writer of those keys still in its
 * transaction: that writer's event, committed behind the held ones while they were
 * out, is then seen here (the writer itself skips keys it finds leased).
 */
export async function finishPublishing(db: SqlClient, { held, published }: { held: OutboxEvent[]; published: string[] }): Promise<{ othersWait: boolean }> {
  const ids = held.map((e) => e.id);
  const keys = [...new Set(held.map((e) => e.partitionKey))];
  const [row] = await db.query<{ others_wait: boolean }>(
    sql`SELECT outbox_finish_publishing(${ids}::uuid[], ${published}::uuid[], ${keys}::text[], ${WRITER_LOCK_CLASS}) AS others_wait`,
  );
  return { othersWait: row!.others_wait };
}

/** The trace context stored with an outbox row, if the row has one. */
export function traceOfRow(row: { traceparent: string | null; tracestate: string | null }): { trace?: TraceContext } {
  if (!row.traceparent) return {};
  return { trace: row.tracestate ? { traceparent: row.traceparent, tracestate: row.tracestate } : { traceparent: row.traceparent } };
}
