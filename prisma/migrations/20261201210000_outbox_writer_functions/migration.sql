-- The outbox writers' per-key turns (runtime/outbox.ts), as functions: a VOLATILE
-- function takes a fresh snapshot for each statement it runs, so a statement after
-- a lock wait sees what the lock holder committed, in the same round trip.

-- Writers of one partition key take turns: a transaction-scoped advisory lock per
-- key (class "task"), taken in hash order so writers of overlapping keys never wait
-- for each other crosswise.
CREATE FUNCTION "outbox_lock_keys"(keys TEXT[]) RETURNS VOID LANGUAGE plpgsql VOLATILE AS $$
BEGIN
  PERFORM pg_advisory_xact_lock(1952541547, hashtext(k)) FROM (SELECT DISTINCT k FROM unnest(keys) AS k) AS d ORDER BY hashtext(k);
END
$$;

-- After a writer tried to publish the events it holds: marks the published ones, ends
-- its lease on all of them, and says whether other events of their keys wait. It waits
-- for any writer of those keys still in its transaction first, so an event committed
-- behind the held ones is either seen here or finds them published when it is written.
CREATE FUNCTION "outbox_finish_publishing"(held UUID[], published UUID[], keys TEXT[]) RETURNS BOOLEAN LANGUAGE plpgsql VOLATILE AS $$
BEGIN
  PERFORM "outbox_lock_keys"(keys);
  UPDATE "outbox_events" SET
    "claimed_until" = NULL,
    "published_at" = CASE WHEN "id" = ANY(published) THEN now() ELSE "published_at" END,
    "attempts" = "attempts" + CASE WHEN "id" = ANY(published) THEN 1 ELSE 0 END
  WHERE "id" = ANY(held);
  RETURN EXISTS (
    SELECT 1 FROM "outbox_events"
    WHERE "partition_key" = ANY(keys) AND "published_at" IS NULL AND "parked_at" IS NULL AND NOT ("id" = ANY(held)));
END
$$;
