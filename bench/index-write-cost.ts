/**
 * What the five listTasks indexes (prisma/migrations/20261201000000_task_list_indexes)
 * cost the writes. createTask's and updateTask's whole unit of work — the real
 * handler, its transaction, the outbox row, the publish (to a sidecar stub that
 * accepts at once) and marking it published — on two databases of one embedded
 * PostgreSQL, identical but for those five indexes, both prefilled with the same
 * tasks. Rounds alternate the two (each round starting with the other one); in a
 * round one connection runs OPS creates, then OPS updates of what it created
 * (title, tags and priority: columns the indexes cover). Per operation: wall time,
 * and the CPU of the PostgreSQL backend serving that connection (from /proc, so
 * the load of other processes on a shared machine does not count).
 *
 *   npx tsx bench/index-write-cost.ts    (BENCH_ROUNDS, BENCH_OPS, BENCH_PREFILL to change the sizes)
 */
import { loadavg } from "node:os";
import pg from "pg";
import { pino } from "pino";
import { createTask } from "../functions/create-task/definition.js";
import { createCreateTaskHandler } from "../functions/create-task/handler.js";
import { updateTask } from "../functions/update-task/definition.js";
import { createUpdateTaskHandler } from "../functions/update-task/handler.js";
import { createFunctionRuntime } from "../runtime/app.js";
import type { DaprClient } from "../runtime/dapr-client.js";
import { createDatabase, sql, type Database } from "../runtime/database.js";
import { applyMigrations } from "../toolkit/migrate.js";
import { startBenchDatabase } from "./postgres.js";
import { CLOCK_TICKS, cpuTicks } from "./proc-stat.js";
import { spread, type Spread } from "./stats.js";

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 10);
const OPS = Number(process.env.BENCH_OPS ?? 400);
const PREFILL = Number(process.env.BENCH_PREFILL ?? 100_000);
const USERS = 1_000;
const LIST_INDEXES = [
  "tasks_user_id_completed_due_at_id_idx",
  "tasks_user_id_completed_priority_id_idx",
  "tasks_user_id_completed_updated_at_id_idx",
  "tasks_user_id_tags_idx",
  "tasks_user_id_title_description_idx",
];

const log = pino({ level: "silent" });
const sidecar: DaprClient = { publish: async () => {}, invokeBinding: async () => {}, hasComponent: async () => false };
const trace = { traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01" };
const say = (line: string) => console.error(`[index-write-cost] ${line}`);

// The same tasks in both databases: a user per 1 000th, a few tags, titles and descriptions of words.
const PREFILL_SQL = `
  INSERT INTO tasks (id, user_id, series_id, title, description, priority, tags, due_at)
  SELECT u, 'user-' || (i % ${USERS}), u, 'Task ' || md5(i::text), 'About ' || md5((i * 7)::text),
         (ARRAY['low','medium','high'])[1 + i % 3]::"Priority", ARRAY['tag' || (i % 20), 'tag' || (i % 7)],
         now() + make_interval(hours => i % 5000)
  FROM (SELECT gen_random_uuid() AS u, i FROM generate_series(1, $1::int) AS i) AS s`;

async function prepare(url: string, dropIndexes: boolean): Promise<Database> {
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  if (dropIndexes) for (const index of LIST_INDEXES) await admin.query(`DROP INDEX "${index}"`);
  await admin.query(PREFILL_SQL, [PREFILL]);
  await admin.query("VACUUM ANALYZE tasks");
  await admin.end();
  // One connection: its backend is the one whose CPU is read.
  return createDatabase({ url, maxConnections: 1 });
}

interface Variant {
  name: string;
  db: Database;
  create: number[];
  update: number[];
  createCpu: number[];
  updateCpu: number[];
}

async function round(variant: Variant, roundNo: number): Promise<void> {
  const runtime = createFunctionRuntime("bench", { db: variant.db, dapr: sidecar, log });
  const create = createCreateTaskHandler(runtime);
  const update = createUpdateTaskHandler(runtime);
  const ids: { userId: string; taskId: string }[] = [];
  // The pool closes an idle connection between rounds: the backend is the one of this round.
  const [{ pid }] = (await variant.db.query<{ pid: number }>(sql`SELECT pg_backend_pid() AS pid`)) as [{ pid: number }];

  let ticks = cpuTicks(pid);
  let started = performance.now();
  for (let i = 0; i < OPS; i++) {
    const userId = `user-${(roundNo * OPS + i) % USERS}`;
    const body = createTask.trigger.body.parse({
      title: `Write ${roundNo}-${i}`,
      description: "Some words to search",
      tags: ["work", `t${i % 9}`],
      dueAt: new Date(Date.now() + i * 60_000).toISOString(),
    });
    const { body: task } = await create({ params: { userId }, query: undefined, body }, { log, trace });
    ids.push({ userId, taskId: (task as { id: string }).id });
  }
  variant.create.push(((performance.now() - started) * 1000) / OPS);
  variant.createCpu.push(((cpuTicks(pid) - ticks) * 1e6) / CLOCK_TICKS / OPS);

  ticks = cpuTicks(pid);
  started = performance.now();
  for (const [i, params] of ids.entries()) {
    const body = updateTask.trigger.body.parse({ title: `Rewritten ${roundNo}-${i}`, tags: ["home", `u${i % 5}`], priority: i % 2 ? "high" : "low" });
    await update({ params, query: undefined, body }, { log, trace });
  }
  variant.update.push(((performance.now() - started) * 1000) / OPS);
  variant.updateCpu.push(((cpuTicks(pid) - ticks) * 1e6) / CLOCK_TICKS / OPS);
}

const bench = await startBenchDatabase(say);
const bareUrl = new URL(bench.url);
bareUrl.pathname = "/taskfn_bench_without_list_indexes";
await bench.query(`CREATE DATABASE taskfn_bench_without_list_indexes`);
await applyMigrations(bareUrl.href);
say(`prefilling both databases with ${PREFILL} tasks of ${USERS} users`);
const variants: Variant[] = [];
for (const [name, url, drop] of [
  ["with the five listTasks indexes", bench.url, false],
  ["without them", bareUrl.href, true],
] as const) {
  variants.push({ name, db: await prepare(url, drop), create: [], update: [], createCpu: [], updateCpu: [] });
}

const loadBefore = loadavg()[0]!.toFixed(1);
// Round 0 warms up (caches, JIT) and is not counted.
for (let r = 0; r <= ROUNDS; r++) {
  const order = r % 2 ? [...variants].reverse() : variants;
  for (const variant of order) {
    await round(variant, r);
    if (r === 0) for (const key of ["create", "update", "createCpu", "updateCpu"] as const) variant[key].length = 0;
  }
  say(`round ${r}/${ROUNDS} done`);
}
const loadAfter = loadavg()[0]!.toFixed(1);

const show = (s: Spread, unit: string) => `${s.median.toFixed(0)} ${unit} (${s.min.toFixed(0)}–${s.max.toFixed(0)})`;
const [withIndexes, without] = variants as [Variant, Variant];
console.log(`${ROUNDS} rounds × ${OPS} operations each, ${PREFILL} tasks prefilled; load average ${loadBefore} before, ${loadAfter} after`);
console.log(`| operation | ${withIndexes.name}: wall / PostgreSQL CPU per op | ${without.name} | ratio (median wall / CPU) |`);
console.log("|---|---|---|---|");
for (const [op, wall, cpu] of [
  ["createTask", "create", "createCpu"],
  ["updateTask", "update", "updateCpu"],
] as const) {
  const a = { wall: spread(withIndexes[wall]), cpu: spread(withIndexes[cpu]) };
  const b = { wall: spread(without[wall]), cpu: spread(without[cpu]) };
  console.log(
    `| ${op} | ${show(a.wall, "µs")} / ${show(a.cpu, "µs")} | ${show(b.wall, "µs")} / ${show(b.cpu, "µs")} | ${(a.wall.median / b.wall.median).toFixed(2)}× / ${(a.cpu.median / b.cpu.median).toFixed(2)}× |`,
  );
}

for (const variant of variants) await variant.db.close();
await bench.stop();
