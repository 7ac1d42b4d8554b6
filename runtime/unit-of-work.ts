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
import { claimBehindOlder, settleClaim } from "./outbox-relay.js";
import { setTimeout as sleep } from "node:timers/promises";
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

// How a writer waits for the older event its own wait behind: polls with growing
// pauses while that event is young enough to be in its writer's hands. perKey
// publishes at the Dapr client's timeout each still end within the lease.
const BEHIND_OLDER = { pausesMs: [2, 5, 10, 20, 50, 100, 200, 300, 300], olderForMs: 1_000, leaseMs: 60_000, perKey: 10 };

export function createUnitOfWork(deps: UnitOfWorkDeps): UnitOfWork {
  const { db, source, log } = deps;

  async function commit<T>(trace: TraceContext, work: Work<T>): Promise<T> {
    const { result, events, behind } = await db.transaction(async (tx) => {
      const events: OutboxEvent[] = [];
      const emit: Emit = (draft) => {
        const cloudEvent = buildCloudEvent(draft, source);
        events.push({ id: cloudEvent.id, topic: draft.topic, partitionKey: draft.partitionKey, cloudEvent, trace });
      };
      const result = await work(tx, emit);
      const inline = events.length > 0 ? await insertOutboxEvents(tx, events) : [];
      return { result, events: inline, behind: events.filter((e) => !inline.includes(e)) };
    });
    if (events.length > 0) await publishCommitted(events);
    for (const key of new Set(behind.map((e) => e.partitionKey))) {
      await publishBehindOlder(
        key,
        behind.filter((e) => e.partitionKey === key).map((e) => e.id),
      );
    }
    return result;
  }

  // The state change is committed: a failure from here on is logged, never thrown,
  // and whatever was not marked published is left to relayOutbox.
  async function publishCommitted(events: OutboxEvent[]): Promise<void> {
    try {
      await markPublished(db, await publishInOrder(deps, events));
    } catch (error) {
      log.warn({ err: error }, "could not mark events published; relayOutbox will publish them again");
    }
  }

  // Events that wait behind an older event of their key go out right after it, not
  // at the relay's next tick (5 s and more later) whenever two writes of a key overlap.
  async function publishBehindOlder(key: string, mine: string[]): Promise<void> {
    try {
      for (const pause of BEHIND_OLDER.pausesMs) {
        await sleep(pause);
        const next = await claimBehindOlder(db, key, mine, BEHIND_OLDER);
        if (next === "leave") return;
        if (next === "wait") continue;
        const published = await publishInOrder(deps, next.claimed);
        await settleClaim(db, { claimed: next.claimed.map((e) => e.id), published, refused: [], refusalsCount: false });
        return;
      }
    } catch (error) {
      log.warn({ err: error, partitionKey: key }, "could not publish the events waiting behind an older one; relayOutbox will");
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
