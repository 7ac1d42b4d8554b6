-- listTasks filters and sorts (see tasks/task-list.ts): one B-tree per sort key after
-- (user_id, completed), a GIN on tags and a trigram GIN on title/description, both
-- led by user_id (btree_gin) so every plan starts from one user's rows.
-- Both extensions are trusted: the database owner may create them.

-- CreateExtension
CREATE EXTENSION IF NOT EXISTS "btree_gin";

-- CreateExtension
CREATE EXTENSION IF NOT EXISTS "pg_trgm";

-- CreateIndex
CREATE INDEX "tasks_user_id_completed_due_at_id_idx" ON "tasks"("user_id", "completed", "due_at", "id");

-- CreateIndex
CREATE INDEX "tasks_user_id_completed_priority_id_idx" ON "tasks"("user_id", "completed", "priority", "id");

-- CreateIndex
CREATE INDEX "tasks_user_id_completed_updated_at_id_idx" ON "tasks"("user_id", "completed", "updated_at", "id");

-- CreateIndex
CREATE INDEX "tasks_user_id_tags_idx" ON "tasks" USING GIN ("user_id" text_ops, "tags" array_ops);

-- CreateIndex
CREATE INDEX "tasks_user_id_title_description_idx" ON "tasks" USING GIN ("user_id" text_ops, "title" gin_trgm_ops, "description" gin_trgm_ops);
