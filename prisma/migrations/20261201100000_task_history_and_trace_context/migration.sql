-- CreateTable
CREATE TABLE "task_history" (
    "seq" BIGSERIAL NOT NULL,
    "event_id" TEXT NOT NULL,
    "user_id" TEXT NOT NULL,
    "task_id" UUID NOT NULL,
    "type" TEXT NOT NULL,
    "occurred_at" TIMESTAMPTZ(3) NOT NULL,
    "changes" JSONB NOT NULL,

    CONSTRAINT "task_history_pkey" PRIMARY KEY ("seq")
);

-- CreateIndex
CREATE UNIQUE INDEX "task_history_event_id_key" ON "task_history"("event_id");

-- CreateIndex
CREATE INDEX "task_history_user_id_task_id_occurred_at_seq_idx" ON "task_history"("user_id", "task_id", "occurred_at", "seq");

-- AlterTable
ALTER TABLE "outbox_events" ADD COLUMN "traceparent" TEXT,
ADD COLUMN "tracestate" TEXT;
