/**
 * Every statement listTasks can send is planned on the migrated indexes:
 * PostgreSQL's EXPLAIN for every combination of filters, sort, order and cursor
 * shows no sequential scan, and every index it reads is entered with the user's id.
 *
 * TASKFN_PLAN_VOLUME=full runs it on 1 000 000 tasks of which one user owns
 * 100 000 (seeding and indexing took 112 s on the shared 2-core machine). npm test
 * runs the same shape at a tenth of the size (10 000 of 100 000): the same
 * proportions give the planner the same selectivities, and a smaller table only
 * makes a sequential scan look cheaper, so it is the stricter check of the two.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql, type Sql } from "../runtime/database.js";
import { createTestDatabase, type TestDatabase } from "../test/database.js";
import type { PageCursor } from "./task-cursor.js";
import { listTasksStatement } from "./task-list.js";
import { ListTasksQuery, TASK_SORTS, TASK_STATUSES } from "./task-schema.js";
import { seedTaskVolume, type Volume } from "../test/task-volume.js";

const FULL = process.env.TASKFN_PLAN_VOLUME === "full";
const VOLUME: Volume = FULL
  ? { heavyUser: "heavy", heavyTasks: 100_000, otherUsers: 9_000, tasksPerOtherUser: 100 }
  : { heavyUser: "heavy", heavyTasks: 10_000, otherUsers: 900, tasksPerOtherUser: 100 };

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
  const started = performance.now();
  await seedTaskVolume(database.db, VOLUME);
  console.info(`task-list.explain: seeded and indexed in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}, 600_000);
afterAll(() => database.drop());

interface PlanNode {
  "Node Type": string;
  "Relation Name"?: string;
  "Index Name"?: string;
  "Index Cond"?: string;
  Plans?: PlanNode[];
}

function nodes(plan: PlanNode): PlanNode[] {
  return [plan, ...(plan.Plans ?? []).flatMap(nodes)];
}

async function plan(statement: Sql): Promise<PlanNode> {
  const [row] = await database.db.query<{ "QUERY PLAN": [{ Plan: PlanNode }] }>(sql`EXPLAIN (FORMAT JSON) ${statement}`);
  return row!["QUERY PLAN"][0].Plan;
}

/** Every optional filter, alone and together: 2^6 sets. */
const FILTERS: Record<string, unknown>[] = [{}];
for (const [name, value] of [
  ["tag", ["work"]],
  ["priority", "high"],
  ["dueAfter", "2026-06-01T00:00:00Z"],
  ["dueBefore", "2026-09-01T00:00:00Z"],
  ["overdue", "true"],
  ["q", "invoice"],
] as const) {
  for (const set of [...FILTERS]) FILTERS.push({ ...set, [name]: value });
}

/** Every query the API accepts: status × filters × sort × order, each without and with a cursor (dueAt: on a date and on NULL). */
function queries(): { query: ListTasksQuery; cursor?: PageCursor; label: string }[] {
  const all = [];
  for (const status of TASK_STATUSES) {
    for (const filters of FILTERS) {
      for (const sort of TASK_SORTS) {
        for (const order of ["asc", "desc"]) {
          const parsed = ListTasksQuery.safeParse({ status, sort, order, ...filters });
          if (!parsed.success) continue; // overdue with status=completed is refused
          const query = parsed.data;
          const label = JSON.stringify({ status, sort, order, ...filters });
          const id = "7f000000-0000-4000-8000-000000000000";
          const keys = sort === "priority" ? ["medium"] : sort === "dueAt" ? ["2026-08-01T00:00:00.000Z", null] : ["2026-08-01T00:00:00.000Z"];
          all.push({ query, label }, ...keys.map((key) => ({ query, cursor: { key, id }, label: `${label} after ${key}` })));
        }
      }
    }
  }
  return all;
}

describe(`listTasks on ${VOLUME.heavyTasks + VOLUME.otherUsers * VOLUME.tasksPerOtherUser} tasks`, () => {
  it.each([VOLUME.heavyUser, "user-42"])(
    "every filter × sort × order × cursor of %s reads only that user's index entries",
    async (userId) => {
      const checked = queries();
      expect(checked.length).toBeGreaterThan(2_000);
      const failures: string[] = [];
      for (const { query, cursor, label } of checked) {
        const scans = nodes(await plan(listTasksStatement(userId, query, cursor)));
        const onTasks = scans.filter((n) => n["Relation Name"] === "tasks" || n["Index Name"]?.startsWith("tasks_"));
        const sequential = onTasks.filter((n) => !/Index|Bitmap Heap/.test(n["Node Type"]));
        const withoutUser = onTasks.filter((n) => /Index/.test(n["Node Type"]) && !/\buser_id = /.test(n["Index Cond"] ?? ""));
        if (sequential.length > 0 || withoutUser.length > 0 || !onTasks.some((n) => /Index/.test(n["Node Type"]))) {
          failures.push(`${label}: ${onTasks.map((n) => `${n["Node Type"]} ${n["Index Name"] ?? ""} [${n["Index Cond"] ?? ""}]`).join("; ")}`);
        }
      }
      expect(failures.slice(0, 20), `${failures.length} of ${checked.length} plans`).toEqual([]);
    },
    300_000,
  );
});
