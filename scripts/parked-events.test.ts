import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "../runtime/database.js";
import { createTestDatabase, type TestDatabase } from "../test/database.js";
import { listParked, requeueParked } from "./parked-events.js";

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(() => database.drop());

async function outboxRow(parked: boolean): Promise<string> {
  const id = randomUUID();
  await database.db.execute(sql`
    INSERT INTO outbox_events (id, topic, partition_key, cloud_event, attempts, last_error, parked_at)
    VALUES (${id}::uuid, 'tasks', 'alice', ${JSON.stringify({ id, type: "task.created" })}::jsonb, 5, 'sidecar answered 500 (test)', ${parked ? new Date() : null})`);
  return id;
}

describe("parked outbox events (npm run dlq)", () => {
  it("lists the parked events with their error, and re-queues chosen ones with a fresh count", async () => {
    const [first, second] = [await outboxRow(true), await outboxRow(true)];
    await outboxRow(false);
    const parked = await listParked(database.db);
    expect(parked.map((event) => event.id)).toEqual([first, second]);
    expect(parked[0]).toMatchObject({
      topic: "tasks",
      partitionKey: "alice",
      type: "task.created",
      attempts: 5,
      lastError: "sidecar answered 500 (test)",
      parkedAt: expect.any(Date),
    });

    expect(await requeueParked(database.db, [first!])).toBe(1);
    expect((await listParked(database.db)).map((event) => event.id)).toEqual([second]);
    expect(await database.prisma.outboxEvent.findUniqueOrThrow({ where: { id: first! } })).toMatchObject({ parkedAt: null, attempts: 0, publishedAt: null });

    expect(await requeueParked(database.db, "all")).toBe(1);
    expect(await listParked(database.db)).toEqual([]);
  });
});
