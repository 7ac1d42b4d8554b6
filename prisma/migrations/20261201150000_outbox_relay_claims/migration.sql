-- AlterTable
ALTER TABLE "outbox_events" ADD COLUMN "claimed_until" TIMESTAMPTZ(3),
ADD COLUMN "last_error" TEXT,
ADD COLUMN "parked_at" TIMESTAMPTZ(3);

-- CreateIndex
CREATE INDEX "outbox_events_partition_key_seq_idx" ON "outbox_events"("partition_key", "seq");
