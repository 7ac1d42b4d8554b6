import { describe, expect, it } from "vitest";
import { describeStatement } from "./sql-statement.js";

describe("describeStatement (the name and attributes of a statement span)", () => {
  it.each([
    ["SELECT id FROM tasks WHERE id = $1::uuid AND user_id = $2", "SELECT tasks"],
    ["\n    INSERT INTO task_history (event_id) VALUES ($1)", "INSERT task_history"],
    ["UPDATE tasks SET completed = false WHERE id = $1::uuid RETURNING id", "UPDATE tasks"],
    ["DELETE FROM tasks WHERE id = $1::uuid", "DELETE tasks"],
    // A subquery on the same table: still one collection.
    ["SELECT id FROM (SELECT tasks.* FROM tasks WHERE a UNION ALL SELECT tasks.* FROM tasks WHERE b) AS tasks LIMIT $1", "SELECT tasks"],
    ["UPDATE outbox_events AS o SET claimed_until = NULL FROM (SELECT id FROM outbox_events) AS c WHERE o.id = c.id", "UPDATE outbox_events"],
    // Functions are not tables; a statement on none is named by its operation alone.
    ["SELECT pg_advisory_xact_lock($1, hashtext(k)) FROM (SELECT k FROM unnest($2::text[]) AS k) AS sorted", "SELECT"],
    ["SELECT 1", "SELECT"],
    // After WITH, the first operation.
    ["WITH inserted AS (INSERT INTO outbox_events (id) VALUES ($1)) SELECT DISTINCT partition_key FROM outbox_events", "INSERT outbox_events"],
    // A data-modifying WITH query is named by what it modifies, its own names are not tables.
    [
      "WITH v(id, k) AS (VALUES ($1::uuid, $2::text)), waiting AS (SELECT v.k FROM v LEFT JOIN outbox_events AS w ON w.partition_key = v.k), " +
        "inserted AS (INSERT INTO outbox_events (id) SELECT v.id FROM v JOIN waiting USING (k)) SELECT k FROM waiting",
      "INSERT outbox_events",
    ],
    ["WITH locked AS (SELECT id FROM outbox_events FOR UPDATE) SELECT id FROM locked", "SELECT outbox_events"],
    // A call of one function alone is named by the function (db.stored_procedure.name).
    ["SELECT outbox_finish_publishing($1::uuid[], $2::text[]) AS others_wait", "SELECT outbox_finish_publishing"],
    ["SELECT partition_key, waits FROM outbox_write_events($1::jsonb, $2, $3)", "SELECT outbox_write_events"],
    // A function read beside a table is not a call alone.
    ["SELECT k FROM unnest($1::text[]) AS k JOIN tasks ON true", "SELECT tasks"],
    // More than one table: the conventions name no collection.
    ["WITH inserted AS (INSERT INTO outbox_events (id) VALUES ($1)) SELECT partition_key FROM outbox_events JOIN tasks ON true", "INSERT"],
  ])("%s → %s", (text, name) => {
    expect(describeStatement(text).name).toBe(name);
  });

  it("carries the parameterised text and the parts of the name as attributes", () => {
    expect(describeStatement("DELETE FROM tasks WHERE id = $1").attributes).toEqual({
      "db.system.name": "postgresql",
      "db.query.text": "DELETE FROM tasks WHERE id = $1",
      "db.operation.name": "DELETE",
      "db.collection.name": "tasks",
    });
    expect(describeStatement("SELECT 1").attributes).not.toHaveProperty("db.collection.name");
  });
});
