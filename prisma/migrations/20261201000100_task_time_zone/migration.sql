-- The IANA zone a task's recurrence is expanded in (tasks/time-zone.ts); existing tasks keep UTC.
-- AlterTable
ALTER TABLE "tasks" ADD COLUMN "time_zone" TEXT NOT NULL DEFAULT 'UTC';
