/**
 * The outbox table, read straight from the database: the id an event was
 * written with, and whether the sidecar has accepted it yet.
 */
import pg from "pg";

export interface OutboxRow {
  id: string;
  topic: string;
  partitionKey: string;
  cloudEvent: { id: string; type: string; subject?: string; data?: unknown };
  publishedAt: Date | null;
}

export async function readOutbox(databaseUrl: string, where: { topic?: string; subjects?: readonly string[]; published?: boolean }): Promise<OutboxRow[]> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ id: string; topic: string; partition_key: string; cloud_event: OutboxRow["cloudEvent"]; published_at: Date | null }>(
      `SELECT id, topic, partition_key, cloud_event, published_at FROM outbox_events
       WHERE ($1::text IS NULL OR topic = $1)
         AND ($2::text[] IS NULL OR cloud_event->>'subject' = ANY($2))
         AND ($3::boolean IS NULL OR (published_at IS NOT NULL) = $3)
       ORDER BY created_at, id`,
      [where.topic ?? null, where.subjects ?? null, where.published ?? null],
    );
    return rows.map((row) => ({ id: row.id, topic: row.topic, partitionKey: row.partition_key, cloudEvent: row.cloud_event, publishedAt: row.published_at }));
  } finally {
    await client.end();
  }
}
