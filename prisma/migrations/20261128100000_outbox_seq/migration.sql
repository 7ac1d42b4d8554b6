-- AlterTable
ALTER TABLE "outbox_events" ADD COLUMN "seq" BIGSERIAL NOT NULL;
