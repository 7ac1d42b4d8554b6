/**
 * The relay's side of the outbox: events the writer could not publish right after
 * commit, taken one partition key at a time.
 *
 * No transaction stays open while the sidecar is called: a short transaction
 * leases keys (claimed_until), the events are published outside it, and another
 * short statement records the outcome. A key is leased whole, from its oldest
 * waiting event on, so two relays never publish one key's events interleaved; the
 * relay stops publishing before its lease ends (see the handler).
 *
 * An event the sidecar refuses for the event's own sake (runtime/publish-refusal.ts:
 * too large, not a CloudEvent) is parked at once: set aside with its error, no
 * longer relayed, listed by `npm run dlq`. One it keeps refusing for any other
 * reason while it accepts others is parked after MAX_ATTEMPTS. Until then the later events of its key wait behind it (per-key order);
 * once it is parked they go on, and the parked event, if re-queued, arrives after
 * them. Events of other keys never wait for it. A refusal while the sidecar accepts
 * nothing at all (it or the broker is down) does not count: an outage parks nothing.
 */
import type { TaskfnCloudEvent } from "./cloud-event.js";
import { sql, type Database } from "./database.js";
import { lockKeysForWriting, traceOfRow, type OutboxEvent } from "./outbox.js";

export const MAX_ATTEMPTS = 5;

export interface ClaimOptions {
  /** Younger events may still be published by the function that wrote them. */
  minAgeMs: number;
  leaseMs: number;
  /** Keys per claim. */
  keys: number;
  /** Events per key per claim. */
  perKey: number;
}

export interface ClaimedEvent extends OutboxEvent {
  attempts: number;
}

interface ClaimedRow {
  id: string;
  topic: string;
  partition_key: string;
  cloud_event: TaskfnCloudEvent;
  attempts: number;
  seq: string;
  traceparent: string | null;
  tracestate: string | null;
}

/** What every claim returns of the rows it leased (the table is aliased `o`). */
const CLAIMED_COLUMNS = sql`o.id::text AS id, o.topic, o.partition_key, o.cloud_event, o.attempts, o.seq, o.traceparent, o.tracestate`;

/** Each key's claimed events in seq order, oldest key first. */
function groupByKey(rows: ClaimedRow[]): ClaimedEvent[][] {
  const byKey = new Map<string, (ClaimedEvent & { seq: string })[]>();
  for (const row of rows) {
    const event = {
      id: row.id,
      topic: row.topic,
      partitionKey: row.partition_key,
      cloudEvent: row.cloud_event,
      attempts: row.attempts,
      seq: row.seq,
      ...traceOfRow(row),
    };
    byKey.set(row.partition_key, [...(byKey.get(row.partition_key) ?? []), event]);
  }
  const bySeq = (a: { seq: string }, b: { seq: string }) => (BigInt(a.seq) < BigInt(b.seq) ? -1 : 1);
  return [...byKey.values()].map((events) => events.sort(bySeq)).sort((a, b) => bySeq(a[0]!, b[0]!));
}

/**
 * Leases up to `keys` partition keys whose oldest waiting event is older than
 * minAge and not leased, with up to `perKey` of each key's waiting events. Returns
 * each key's events in seq order, oldest key first. SKIP LOCKED on the keys'
 * oldest rows lets relays claim at the same time without taking the same key.
 */
export async function claimKeys(db: Database, { minAgeMs, leaseMs, keys, perKey }: ClaimOptions): Promise<ClaimedEvent[][]> {
  const rows = await db.transaction(async (tx) => {
    const heads = await tx.query<{ partition_key: string }>(sql`
      SELECT partition_key FROM outbox_events
      WHERE id IN (
          SELECT DISTINCT ON (partition_key) id FROM outbox_events
          WHERE published_at IS NULL AND parked_at IS NULL
          ORDER BY partition_key, seq)
        AND published_at IS NULL AND parked_at IS NULL
        AND (claimed_until IS NULL OR claimed_until < now())
        AND created_at <= now() - make_interval(secs => ${minAgeMs / 1000})
      ORDER BY seq
      LIMIT ${keys}
      FOR UPDATE SKIP LOCKED`);
    if (heads.length === 0) return [];
    return tx.query<ClaimedRow>(sql`
      UPDATE outbox_events AS o SET claimed_until = now() + make_interval(secs => ${leaseMs / 1000})
      FROM (
        SELECT id, row_number() OVER (PARTITION BY partition_key ORDER BY seq) AS rank
        FROM outbox_events
        WHERE partition_key = ANY(${heads.map((h) => h.partition_key)}::text[]) AND published_at IS NULL AND parked_at IS NULL
      ) AS waiting
      WHERE o.id = waiting.id AND waiting.rank <= ${perKey}
      RETURNING ${CLAIMED_COLUMNS}`);
  });
  return groupByKey(rows);
}

/**
 * For a writer: the events of `keys` that wait behind an event that is published
 * now (committed by other writers meanwhile, or its own that had to wait), leased as
 * the relay's claims are, to be published in seq order right away instead of at the
 * relay's next tick. A key another writer or the relay holds a lease in is left to
 * it: that one publishes what waits after it (see finishPublishing). Taking the
 * writers' lock first serialises this with the key's writers and other claims.
 */
export async function claimWaiting(db: Database, keys: string[], { leaseMs, perKey }: Pick<ClaimOptions, "leaseMs" | "perKey">): Promise<ClaimedEvent[][]> {
  const rows = await db.transaction(async (tx) => {
    await lockKeysForWriting(tx, keys);
    const waiting = await tx.query<{ id: string; partition_key: string; leased: boolean }>(sql`
      SELECT id::text AS id, partition_key, coalesce(claimed_until >= now(), false) AS leased FROM outbox_events
      WHERE partition_key = ANY(${keys}::text[]) AND published_at IS NULL AND parked_at IS NULL
      ORDER BY seq
      FOR UPDATE`);
    const held = new Set(waiting.filter((row) => row.leased).map((row) => row.partition_key));
    const taken = new Map<string, number>();
    const ids = waiting.flatMap(({ id, partition_key: key }) => {
      if (held.has(key) || (taken.get(key) ?? 0) >= perKey) return [];
      taken.set(key, (taken.get(key) ?? 0) + 1);
      return [id];
    });
    if (ids.length === 0) return [];
    return tx.query<ClaimedRow>(sql`
      UPDATE outbox_events AS o SET claimed_until = now() + make_interval(secs => ${leaseMs / 1000})
      WHERE o.id = ANY(${ids}::uuid[])
      RETURNING ${CLAIMED_COLUMNS}`);
  });
  return groupByKey(rows);
}

export interface Refusal {
  id: string;
  error: string;
  /** The sidecar refused the event itself (UnpublishableEventError): it can never be published. */
  unpublishable: boolean;
}

/**
 * Records one claim's outcome in one statement and ends its leases: published
 * events are marked, refusals recorded (counted, and parked at MAX_ATTEMPTS, only
 * when `refusalsCount`; an unpublishable event counted and parked at once), and
 * events not tried are released for the next claim.
 */
export async function settleClaim(
  db: Database,
  { claimed, published, refused, refusalsCount }: { claimed: string[]; published: string[]; refused: Refusal[]; refusalsCount: boolean },
): Promise<void> {
  if (claimed.length === 0) return;
  const counted = refusalsCount ? 1 : 0;
  await db.execute(sql`
    UPDATE outbox_events AS o SET
      claimed_until = NULL,
      published_at = CASE WHEN o.id = ANY(${published}::uuid[]) THEN now() ELSE o.published_at END,
      attempts = o.attempts + CASE WHEN o.id = ANY(${published}::uuid[]) OR r.unpublishable THEN 1 WHEN r.error IS NOT NULL THEN ${counted}::int ELSE 0 END,
      last_error = COALESCE(r.error, o.last_error),
      parked_at = CASE
        WHEN r.unpublishable THEN now()
        WHEN r.error IS NOT NULL AND ${counted}::int = 1 AND o.attempts + 1 >= ${MAX_ATTEMPTS}::int THEN now()
        ELSE o.parked_at END
    FROM unnest(${claimed}::uuid[]) AS c(id)
    LEFT JOIN unnest(${refused.map((r) => r.id)}::uuid[], ${refused.map((r) => r.error)}::text[], ${refused.map((r) => r.unpublishable)}::boolean[])
      AS r(id, error, unpublishable) ON r.id = c.id
    WHERE o.id = c.id`);
}
