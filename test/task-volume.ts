/**
 * A large tasks table for plan tests and the benchmark: one heavy user and many
 * light ones, with every column listTasks filters or sorts on spread out (NULL
 * due dates, ties, tags, searchable words). Built with generate_series and the
 * indexes rebuilt afterwards, which is several times faster than inserting into
 * seven live indexes.
 */
import { raw, sql, type Database } from "../runtime/database.js";

export interface Volume {
  heavyUser: string;
  heavyTasks: number;
  /** Named `user-0` … `user-<otherUsers - 1>`. */
  otherUsers: number;
  tasksPerOtherUser: number;
}

const WORDS = ["invoice", "groceries", "call mum", "quarterly report", "water plants", "dentist", "taxes", "gym"];

export async function seedTaskVolume(db: Database, volume: Volume): Promise<void> {
  const indexes = await db.query<{ name: string; definition: string }>(sql`
    SELECT indexname AS name, indexdef AS definition FROM pg_indexes
    WHERE schemaname = 'public' AND tablename = 'tasks' AND indexname <> 'tasks_pkey'`);
  for (const { name } of indexes) await db.execute(sql`DROP INDEX ${raw(`"${name}"`)}`);
  const total = volume.heavyTasks + volume.otherUsers * volume.tasksPerOtherUser;
  await db.execute(sql`
    INSERT INTO tasks (id, user_id, series_id, title, description, priority, tags, due_at, completed, completed_at, created_at, updated_at)
    SELECT id, user_id, id, 'Task ' || n || ' ' || (${WORDS}::text[])[n % 8 + 1],
           CASE WHEN n % 3 = 0 THEN 'Notes on ' || (${WORDS}::text[])[n % 7 + 1] END,
           (ARRAY['low', 'medium', 'high'])[n % 3 + 1]::"Priority",
           CASE n % 4 WHEN 0 THEN ARRAY['work'] WHEN 1 THEN ARRAY['work', 'urgent'] WHEN 2 THEN ARRAY['home'] ELSE ARRAY[]::text[] END,
           CASE WHEN n % 4 <> 0 THEN timestamptz '2026-01-01' + (n % 730) * interval '1 day' END,
           n % 10 < 7, CASE WHEN n % 10 < 7 THEN timestamptz '2026-01-01' END,
           timestamptz '2025-01-01' + n * interval '1 minute', timestamptz '2025-01-01' + n * interval '1 minute' + (n % 100) * interval '1 hour'
    FROM (
      SELECT gen_random_uuid() AS id, n,
             CASE WHEN n <= ${volume.heavyTasks} THEN ${volume.heavyUser} ELSE 'user-' || ((n - ${volume.heavyTasks} - 1) % ${volume.otherUsers}) END AS user_id
      FROM generate_series(1, ${total}) AS n
    ) AS s`);
  await db.transaction(async (tx) => {
    await tx.execute(sql`SET LOCAL maintenance_work_mem = '256MB'`);
    for (const { definition } of indexes) await tx.execute(sql`${raw(definition)}`);
  });
  await db.execute(sql`ANALYZE tasks`);
}
