-- The events still waiting to be published, by key in seq order: every write with
-- events, every finish and every claim asks whether a key has one. Without it they
-- read the key's whole history (published rows are kept), which grows with every
-- event of the user.
CREATE INDEX "outbox_events_waiting_idx" ON "outbox_events"("partition_key", "seq") WHERE "published_at" IS NULL AND "parked_at" IS NULL;
