/**
 * One state change, its events and (for consumers) the record of the event that
 * caused it commit in one transaction; the events are published right after,
 * unless an older event of the same partition key still waits (then they wait too,
 * so a key's events never overtake each other): for the writer publishing that
 * older event, which publishes them next, or else for relayOutbox.
 */
import { buildCloudEvent, type EventDraft } from "./cloud-event.js";
import { sql, type Database, type Transaction } from "./database.js";
import { insertOutboxEvents, markPublished, publishInOrder, type OutboxEvent, type PublishDeps } from "./outbox.js";
import { claimLeftBehind, settleClaim } from "./outbox-relay.js";
import type { TraceContext } from "./trace-context.js";

export type { Transaction } from "./database.js";
export type Emit = (draft: EventDraft) => void;
export type Work<T> = (tx: Transaction, emit: Emit) => Promise<T>;

/** `trace`: the context of the request or event doing the work; every event it emits carries it on. */
export interface UnitOfWork {
  run<T>(trace: TraceContext, work: Work<T>): Promise<T>;
  /**
   * Runs `work` unless `(consumer, eventId)` was processed before. The marker row is
   * inserted first: a concurrent duplicate blocks on it and then finds it, so two
   * deliveries of one event never both act.
   */
  runOnce(consumer: string, eventId: string, trace: TraceContext, work: Work<void>): Promise<"processed" | "duplicate">;
}

export interface UnitOfWorkDeps extends PublishDeps {
  db: Database;
  /** CloudEvent `source` of everything this function emits, e.g. `/taskfn/createTask`. */
  source: string;
}

// perKey publishes at the Dapr client's timeout each still end within the lease.
const LEFT_BEHIND = { leaseMs: 60_000, perKey: 10, rounds: 3 };

export function createUnitOfWork(deps: UnitOfWorkDeps): UnitOfWork {
  const { db, source, log } = deps;

  async function commit<T>(trace: TraceContext, work: Work<T>): Promise<T> {
    const { result, events } = await db.transaction(async (tx) => {
      const events: OutboxEvent[] = [];
      const emit: Emit = (draft) => {
        const cloudEvent = buildCloudEvent(draft, source);
        events.push({ id: cloudEvent.id, topic: draft.topic, partitionKey: draft.partitionKey, cloudEvent, trace });
      };
      const result = await work(tx, emit);
      const inline = events.length > 0 ? await insertOutboxEvents(tx, events) : [];
      return { result, events: inline };
    });
    if (events.length > 0) await publishCommitted(events);
    return result;
  }

  // The state change is committed: a failure from here on is logged, never thrown,
  // and whatever was not marked published is left to relayOutbox.
  async function publishCommitted(events: OutboxEvent[]): Promise<void> {
    try {
      const published = await publishInOrder(deps, events);
      await markPublished(db, published);
      if (published.length === events.length) await publishLeftBehind([...new Set(events.map((e) => e.partitionKey))]);
    } catch (error) {
      log.warn({ err: error }, "could not mark events published; relayOutbox will publish them again");
    }
  }

  // What other writers of these keys left waiting behind this writer's events goes
  // out now rather than at the relay's next tick. Bounded: a key written faster than
  // one writer publishes is left to the relay.
  async function publishLeftBehind(keys: string[]): Promise<void> {
    for (let round = 0; round < LEFT_BEHIND.rounds; round++) {
      const claimed = await claimLeftBehind(db, keys, LEFT_BEHIND);
      if (claimed.length === 0) return;
      const published = (await Promise.all(claimed.map((keyEvents) => publishInOrder(deps, keyEvents)))).flat();
      const ids = claimed.flat().map((event) => event.id);
      await settleClaim(db, { claimed: ids, published, refused: [], refusalsCount: false });
      if (published.length < ids.length) return;
    }
  }

  return {
    run: commit,
    async runOnce(consumer, eventId, trace, work) {
      return commit(trace, async (tx, emit) => {
        const inserted = await tx.execute(sql`
          INSERT INTO processed_events (consumer, event_id) VALUES (${consumer}, ${eventId})
          ON CONFLICT DO NOTHING`);
        if (inserted === 0) return "duplicate";
        await work(tx, emit);
        return "processed";
      });
    },
  };
}
