-- After a writer tried to publish the events it holds (runtime/outbox.ts
-- finishPublishing): marks the published ones, ends its lease on all of them, and
-- says whether other events of their keys wait. It first waits for any writer of
-- those keys still in its transaction (the writers' per-key advisory lock, class
-- lock_class), so an event committed behind the held ones is either seen here or
-- finds them published when it is written. A VOLATILE function takes a fresh
-- snapshot for each statement it runs, so the check after the lock wait sees what
-- the lock holder committed, in the same round trip.
CREATE FUNCTION "outbox_finish_publishing"(held UUID[], published UUID[], keys TEXT[], lock_class INTEGER) RETURNS BOOLEAN LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  others_wait BOOLEAN;
BEGIN
  IF cardinality(keys) = 1 THEN
    -- The usual case, as a simple expression: no query plan to run.
    PERFORM pg_advisory_xact_lock(lock_class, hashtext(keys[1]));
  ELSE
    -- In hash order, as the writers take them, so no two wait for each other crosswise.
    PERFORM pg_advisory_xact_lock(lock_class, hashtext(k)) FROM unnest(keys) AS k ORDER BY hashtext(k);
  END IF;
  WITH settled AS (
    UPDATE "outbox_events" SET
      "claimed_until" = NULL,
      "published_at" = CASE WHEN "id" = ANY(published) THEN now() ELSE "published_at" END,
      "attempts" = "attempts" + CASE WHEN "id" = ANY(published) THEN 1 ELSE 0 END
    WHERE "id" = ANY(held))
  SELECT EXISTS (
    SELECT 1 FROM "outbox_events"
    WHERE "partition_key" = ANY(keys) AND "published_at" IS NULL AND "parked_at" IS NULL AND NOT ("id" = ANY(held)))
  INTO others_wait;
  RETURN others_wait;
END
$$;
