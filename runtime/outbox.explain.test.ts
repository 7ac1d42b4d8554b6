/**
 * The outbox keeps published rows, so a user's history grows with every event.
 * What a writer asks on every write (does an older event of the key still wait?)
 * is planned on the index of waiting rows, never on the key's whole history.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../test/database.js";
import { buildCloudEvent } from "./cloud-event.js";
import { sql } from "./database.js";
import { writeEventsStatement, type OutboxEvent } from "./outbox.js";

const HISTORY = 5_000;

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
  await database.db.execute(sql`
    INSERT INTO outbox_events (id, topic, partition_key, cloud_event, published_at)
    SELECT gen_random_uuid(), 'tasks', CASE WHEN n % 2 = 0 THEN 'long-history' ELSE 'other-' || n % 50 END, '{}'::jsonb, now()
    FROM generate_series(1, ${HISTORY}) AS n`);
  await database.db.execute(sql`ANALYZE outbox_events`);
});
afterAll(() => database.drop());

interface PlanNode {
  "Node Type": string;
  "Relation Name"?: string;
  "Index Name"?: string;
  Plans?: PlanNode[];
}
const nodes = (plan: PlanNode): PlanNode[] => [plan, ...(plan.Plans ?? []).flatMap(nodes)];

it("asks whether an older event of the key waits on the index of waiting events, not on the key's published history", async () => {
  const cloudEvent = buildCloudEvent({ topic: "tasks", type: "test.happened", subject: "s", partitionKey: "long-history", data: {} }, "/taskfn/test");
  const event: OutboxEvent = { id: cloudEvent.id, topic: "tasks", partitionKey: "long-history", cloudEvent };
  const [row] = await database.db.query<{ "QUERY PLAN": [{ Plan: PlanNode }] }>(sql`EXPLAIN (FORMAT JSON) ${writeEventsStatement([event], 30_000)}`);
  const reads = nodes(row!["QUERY PLAN"][0].Plan).filter((node) => node["Relation Name"] === "outbox_events" && node["Node Type"] !== "ModifyTable");
  expect(reads.map((node) => [node["Node Type"], node["Index Name"]])).toEqual([[expect.stringMatching(/Index/), "outbox_events_waiting_idx"]]);
});
