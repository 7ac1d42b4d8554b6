/**
 * One state change, its events and (for consumers) the record of the event that
 * caused it commit in one transaction; the events are published right after,
 * unless an older event of the same partition key still waits (then they wait too,
 * so a key's events never overtake each other): the writer holding that older event
 * publishes them next, or else relayOutbox does.
 */
import { buildCloudEvent, type EventDraft } from "./cloud-event.js";
import { sql, type Database, type Transaction } from "./database.js";
import { finishPublishing, insertOutboxEvents, publishInOrder, type OutboxEvent, type PublishDeps } from "./outbox.js";
import { claimWaiting } from "./outbox-relay.js";
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

// What a writer leases: its own events from its insert on, what waits behind them
// after they are out. perKey publishes at the Dapr client's timeout each end within
// the lease; rounds bound how long one request drains a busy key for others.
const WRITER_CLAIMS = { leaseMs: 30_000, perKey: 10, rounds: 3 };

export function createUnitOfWork(deps: UnitOfWorkDeps): UnitOfWork {
  const { db, source, log } = deps;

  async function commit<T>(trace: TraceContext, work: Work<T>): Promise<T> {
    const { result, written, keys } = await db.transaction(async (tx) => {
      const events: OutboxEvent[] = [];
      const emit: Emit = (draft) => {
        const cloudEvent = buildCloudEvent(draft, source);
        events.push({ id: cloudEvent.id, topic: draft.topic, partitionKey: draft.partitionKey, cloudEvent, trace });
      };
      const result = await work(tx, emit);
      const written = events.length > 0 ? await insertOutboxEvents(tx, events, WRITER_CLAIMS.leaseMs) : { inline: [], unheldBefore: false };
      return { result, written, keys: [...new Set(events.map((e) => e.partitionKey))] };
    });
    const { inline } = written;
    const held = inline.length > 0 ? await publishHeld(inline) : { allOut: true, othersWait: false };
    // Its own events that had to wait behind an event nobody holds (a failed publish,
    // a lapsed lease) it claims itself; behind a held one, the holder publishes them
    // (its finish waits for this commit and sees them). Not after a failed publish:
    // the sidecar is likely down, the relay's job.
    if (held.allOut && (held.othersWait || written.unheldBefore)) await publishWaiting(keys);
    return result;
  }

  // The state change is committed: a failure from here on is logged, never thrown,
  // and whatever was not marked published is left to relayOutbox.
  async function publishHeld(events: OutboxEvent[]): Promise<{ allOut: boolean; othersWait: boolean }> {
    try {
      const published = await publishInOrder(deps, events);
      const { othersWait } = await finishPublishing(db, { held: events, published });
      return { allOut: published.length === events.length, othersWait };
    } catch (error) {
      log.warn({ err: error }, "could not mark events published; relayOutbox will publish them again");
      return { allOut: false, othersWait: false };
    }
  }

  async function publishWaiting(keys: string[]): Promise<void> {
    for (let round = 0; round < WRITER_CLAIMS.rounds; round++) {
      const claimed = await claimWaiting(db, keys, WRITER_CLAIMS).catch((error: unknown) => {
        log.warn({ err: error }, "could not claim the events waiting behind published ones; relayOutbox will publish them");
        return [];
      });
      if (claimed.length === 0) return;
      const outcomes = await Promise.all(claimed.map(publishHeld));
      if (!outcomes.every((o) => o.allOut) || !outcomes.some((o) => o.othersWait)) return;
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
