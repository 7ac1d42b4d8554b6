-- The writers' per-key turns in one place. Writing events (outbox_write_events),
-- finishing a publish (outbox_finish_publishing) and claiming waiting events
-- (runtime/outbox-relay.ts) each wait for the transaction-scoped advisory lock of
-- every key they touch (class lock_class), in hash order, so writers of overlapping
-- keys never wait for each other crosswise.
CREATE FUNCTION "outbox_lock_keys"(keys TEXT[], lock_class INTEGER) RETURNS VOID LANGUAGE plpgsql VOLATILE AS $$
BEGIN
  IF cardinality(keys) = 1 THEN
    -- The usual case, as a simple expression: no query plan to run.
    PERFORM pg_advisory_xact_lock(lock_class, hashtext(keys[1]));
  ELSE
    PERFORM pg_advisory_xact_lock(lock_class, hashtext(k)) FROM (SELECT DISTINCT k FROM unnest(keys) AS k) AS d ORDER BY hashtext(k);
  END IF;
END
$$;

-- A writer's outbox insert (runtime/outbox.ts insertOutboxEvents) in one round
-- trip: it waits for the writers' per-key advisory lock (class lock_class) of the
-- events' keys, then inserts them and says, per key, whether an older event still
-- waits and whether that oldest one is held by nobody. A VOLATILE function takes a
-- fresh snapshot for each statement it runs, so the insert's check sees what the
-- previous writer of the key committed while this one waited for the lock; and
-- plpgsql keeps its statements' plans for the connection, where the same statement
-- sent as text was parsed and planned on every write.
-- events: a JSON array of {id, topic, partitionKey, cloudEvent, traceparent, tracestate}
-- in the order they were emitted.
CREATE FUNCTION "outbox_write_events"(events JSONB, lease_ms INTEGER, lock_class INTEGER)
RETURNS TABLE (partition_key TEXT, waits BOOLEAN, unheld BOOLEAN) LANGUAGE plpgsql VOLATILE AS $$
#variable_conflict use_column
BEGIN
  PERFORM "outbox_lock_keys"(ARRAY(SELECT DISTINCT e->>'partitionKey' FROM jsonb_array_elements(events) AS e), lock_class);
  RETURN QUERY
  WITH v AS (
    SELECT x.ordinal, (x.e->>'id')::uuid AS id, x.e->>'topic' AS topic, x.e->>'partitionKey' AS partition_key,
      x.e->'cloudEvent' AS cloud_event, x.e->>'traceparent' AS traceparent, x.e->>'tracestate' AS tracestate
    FROM jsonb_array_elements(events) WITH ORDINALITY AS x(e, ordinal)),
  -- Per key, its oldest waiting event: whoever holds it publishes what waits behind it.
  waiting AS (
    SELECT k.partition_key, h.id IS NOT NULL AS waits, h.id IS NOT NULL AND (h.claimed_until IS NULL OR h.claimed_until < now()) AS unheld
    FROM (SELECT DISTINCT v.partition_key FROM v) AS k
    LEFT JOIN LATERAL (
      SELECT w.id, w.claimed_until FROM "outbox_events" AS w
      WHERE w.partition_key = k.partition_key AND w.published_at IS NULL AND w.parked_at IS NULL
      ORDER BY w.seq LIMIT 1
    ) AS h ON true),
  inserted AS (
    INSERT INTO "outbox_events" (id, topic, partition_key, cloud_event, traceparent, tracestate, claimed_until)
    SELECT v.id, v.topic, v.partition_key, v.cloud_event, v.traceparent, v.tracestate,
      CASE WHEN waiting.waits THEN NULL ELSE now() + make_interval(secs => lease_ms / 1000.0) END
    FROM v JOIN waiting ON waiting.partition_key = v.partition_key
    -- seq follows insertion: a key's events keep the order they were emitted in.
    ORDER BY v.ordinal)
  SELECT waiting.partition_key, waiting.waits, waiting.unheld FROM waiting;
END
$$;

-- The finish (prisma/migrations/…_outbox_writer_functions) takes its locks through outbox_lock_keys too.
CREATE OR REPLACE FUNCTION "outbox_finish_publishing"(held UUID[], published UUID[], keys TEXT[], lock_class INTEGER) RETURNS BOOLEAN LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  others_wait BOOLEAN;
BEGIN
  PERFORM "outbox_lock_keys"(keys, lock_class);
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
