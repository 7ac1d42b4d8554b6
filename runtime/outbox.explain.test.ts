/**
 * The outbox keeps published rows, so a user's history grows with every event.
 * What a writer asks on every write (does an older event of the key still wait?)
 * is planned on the index of waiting rows, never on the key's whole history.
 * The question is asked inside outbox_write_events: auto_explain logs the plans
 * of the statements a function runs, and sends them to this client as notices.
 */
import pg from "pg";
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

/** The plans of every statement `run` makes PostgreSQL execute, the ones inside functions included. */
async function plansOf(run: (client: pg.Client) => Promise<unknown>): Promise<{ text: string; plan: PlanNode }[]> {
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  const plans: { text: string; plan: PlanNode }[] = [];
  client.on("notice", (notice) => {
    const json = /plan:\s*(\{[\s\S]*\})\s*$/.exec(notice.message ?? "")?.[1];
    if (json) {
      const logged = JSON.parse(json) as { "Query Text": string; Plan: PlanNode };
      plans.push({ text: logged["Query Text"], plan: logged.Plan });
    }
  });
  try {
    await client.query("LOAD 'auto_explain'");
    await client.query(
      "SET auto_explain.log_min_duration = 0; SET auto_explain.log_nested_statements = on; SET auto_explain.log_format = 'json'; SET client_min_messages = 'log'",
    );
    await client.query("BEGIN");
    await run(client);
    await client.query("ROLLBACK");
  } finally {
    await client.end();
  }
  return plans;
}

it("asks whether an older event of the key waits on the index of waiting events, not on the key's published history", async () => {
  const cloudEvent = buildCloudEvent({ topic: "tasks", type: "test.happened", subject: "s", partitionKey: "long-history", data: {} }, "/taskfn/test");
  const event: OutboxEvent = { id: cloudEvent.id, topic: "tasks", partitionKey: "long-history", cloudEvent };
  const statement = writeEventsStatement([event], 30_000);
  const plans = await plansOf((client) => client.query(statement.text, statement.values));
  const insert = plans.find((p) => /INSERT INTO "outbox_events"/.test(p.text));
  expect(insert, plans.map((p) => p.text).join("\n---\n")).toBeDefined();
  const reads = nodes(insert!.plan).filter((node) => node["Relation Name"] === "outbox_events" && node["Node Type"] !== "ModifyTable");
  expect(reads.map((node) => [node["Node Type"], node["Index Name"]])).toEqual([[expect.stringMatching(/Index/), "outbox_events_waiting_idx"]]);
});
