/**
 * `npm run bench:anatomy`: where one task.completed event's time goes, in taskfn's
 * onTaskCompleted and in the node:http + pg baseline of part 1, event by event
 * (c=1) so nothing queues: the statements each sends per event and what PostgreSQL
 * spent on them (pg_stat_statements), the server's CPU per event (/proc), the wall
 * time per event, and each server's CPU profile (`node --cpu-prof`, summarised by
 * bench/cpuprofile.ts). Needs strace. Written to bench/results/event-anatomy.md.
 */
import { spawn, spawnSync } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { buildFunctions } from "../toolkit/build.js";
import { startEmbeddedPostgres } from "../toolkit/embedded-postgres.js";
import { applyMigrations } from "../toolkit/migrate.js";
import { freePort, sleep } from "../toolkit/net.js";
import { bundleBenchServers } from "./bundle.js";
import { NAMES, rawEvent, taskfnEventNoDb, taskfnFunction } from "./contenders.js";
import type { ServerDefinition } from "./context.js";
import { summarize } from "./cpuprofile.js";
import { announcedRoute } from "./parts/event-delivery.js";
import { CLOCK_TICKS } from "./proc-stat.js";
import { startService, startSidecarStub, type Service } from "./service.js";
import { runWrk } from "./wrk.js";

const EVENTS = Number(process.env.ANATOMY_EVENTS ?? 2000);
const WARMUP = 300;
const SYSCALL_EVENTS = 200;
const NO_DB_SECONDS = 6;
const USERS = 64;
const mixName = (recurring: boolean) => (recurring ? "recurring" : "not recurring");
const RESULT = fileURLToPath(new URL("./results/event-anatomy.md", import.meta.url));

/** A task.completed as daprd delivers it (bench/lua/event.lua, in TypeScript). */
function taskCompleted(n: number, recurring: boolean) {
  const taskId = randomUUID();
  const userId = `anatomy-user-${n % USERS}`;
  return {
    specversion: "1.0",
    id: randomUUID(),
    source: "/taskfn/completeTask",
    type: "task.completed",
    subject: taskId,
    time: "2026-11-28T10:00:00.000Z",
    datacontenttype: "application/json",
    partitionkey: userId,
    pubsubname: "pubsub",
    topic: "tasks",
    traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
    data: {
      id: taskId,
      userId,
      title: "Water the plants",
      description: null,
      priority: "medium",
      tags: ["home"],
      dueAt: "2026-12-01T09:00:00.000Z",
      remindAt: "2026-12-01T08:45:00.000Z",
      recurrence: recurring ? "FREQ=DAILY" : null,
      seriesId: taskId,
      occurrence: 1,
      completed: true,
      completedAt: "2026-11-28T10:00:00.000Z",
      createdAt: "2026-11-27T10:00:00.000Z",
      updatedAt: "2026-11-28T10:00:00.000Z",
    },
  };
}

async function deliver(url: string, count: number, recurring: boolean): Promise<void> {
  for (let n = 0; n < count; n++) {
    const response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/cloudevents+json" },
      body: JSON.stringify(taskCompleted(n, recurring)),
    });
    const body = await response.text();
    if (response.status !== 200 || !body.includes("SUCCESS")) throw new Error(`${url} answered ${response.status} ${body}`);
  }
}

interface Statement {
  query: string;
  calls: number;
  ms: number;
}

async function statements(db: pg.Pool): Promise<Statement[]> {
  const { rows } = await db.query<{ query: string; calls: string; ms: number }>(
    "SELECT query, calls, total_exec_time AS ms FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) ORDER BY calls DESC, total_exec_time DESC",
  );
  return rows
    .filter((r) => !r.query.includes("pg_stat_statements"))
    .map((r) => ({ query: r.query.replace(/\s+/g, " ").slice(0, 110), calls: Number(r.calls), ms: r.ms }));
}

/** System calls the server makes per event (strace -c on its threads), from a separate pass: tracing slows it down. */
async function syscalls(pid: number, url: string, recurring: boolean): Promise<Map<string, number>> {
  const out = join(tmpdir(), `taskfn-anatomy-strace-${pid}.txt`);
  const strace = spawn("strace", ["-c", "-f", "-p", String(pid), "-o", out], { stdio: "ignore" });
  await deliver(url, WARMUP, recurring);
  await sleep(500); // attached
  await deliver(url, SYSCALL_EVENTS, recurring);
  strace.kill("SIGINT");
  await new Promise((resolve) => strace.once("exit", resolve));
  const counts = new Map<string, number>();
  // "% time  seconds  usecs/call  calls  [errors]  syscall"
  for (const line of (await readFile(out, "utf8")).split("\n")) {
    const fields = line.trim().split(/\s+/);
    const name = fields.at(-1)!;
    if (fields.length >= 5 && /^\d/.test(fields[0]!) && name !== "total") counts.set(name, Number(fields[3]) / SYSCALL_EVENTS);
  }
  await rm(out, { force: true });
  return counts;
}

interface Measured {
  server: string;
  recurring: boolean;
  wallUs: number;
  cpuUs: number;
  statementsPerEvent: number;
  dbUs: number;
  detail: Statement[];
  syscalls: Map<string, number>;
}

async function measure(db: pg.Pool, service: Service, url: string, recurring: boolean): Promise<Measured> {
  await deliver(url, WARMUP, recurring);
  await db.query("TRUNCATE tasks, outbox_events, processed_events");
  await db.query("SELECT pg_stat_statements_reset()");
  const cpuBefore = service.cpuTicks();
  const started = performance.now();
  await deliver(url, EVENTS, recurring);
  const wallMs = performance.now() - started;
  const cpuMs = ((service.cpuTicks() - cpuBefore) * 1000) / CLOCK_TICKS;
  const detail = await statements(db);
  const calls = detail.reduce((sum, s) => sum + s.calls, 0);
  return {
    server: service.name,
    recurring,
    wallUs: (wallMs * 1000) / EVENTS,
    cpuUs: (cpuMs * 1000) / EVENTS,
    statementsPerEvent: calls / EVENTS,
    dbUs: (detail.reduce((sum, s) => sum + s.ms, 0) * 1000) / EVENTS,
    detail,
    syscalls: new Map(),
  };
}

async function main(): Promise<void> {
  if (spawnSync("strace", ["-V"]).error) throw new Error("bench:anatomy needs strace (Debian/Ubuntu: apt-get install strace)");
  const loadBefore = loadavg()[0]!.toFixed(1);
  await buildFunctions();
  await bundleBenchServers();
  const work = await mkdtemp(join(tmpdir(), "taskfn-anatomy-"));
  const postgres = await startEmbeddedPostgres({
    dataDir: join(work, "db"),
    port: await freePort(),
    // Top-level statements only: one per round trip (a function's inner statements are part of its call).
    settings: { shared_preload_libraries: "pg_stat_statements", "pg_stat_statements.track": "top" },
  });
  const admin = new pg.Client({ connectionString: postgres.databaseUrl("postgres") });
  await admin.connect();
  await admin.query("CREATE DATABASE anatomy");
  await admin.end();
  const url = postgres.databaseUrl("anatomy");
  await applyMigrations(url);
  const db = new pg.Pool({ connectionString: url, max: 1 });
  db.on("error", () => {});
  await db.query("CREATE EXTENSION pg_stat_statements");

  const sidecar = await startSidecarStub(work);
  const env = (port: number) => ({
    PORT: String(port),
    HOST: "127.0.0.1",
    NODE_ENV: "production",
    DATABASE_URL: url,
    DAPR_HTTP_PORT: String(sidecar.port),
    AUTH_JWT_SECRET: randomBytes(32).toString("hex"),
  });
  const results: Measured[] = [];
  const noDb: { server: string; rps: number; cpuUs: number }[] = [];
  const summaries: string[] = [];
  try {
    const start = async (definition: ServerDefinition, flags: string[]) => {
      const port = await freePort();
      const service = await startService(
        {
          name: definition.name,
          command: definition.command,
          args: [...flags, ...definition.args],
          env: { ...env(port), ...definition.env },
          port,
          healthPath: definition.readyPath ?? definition.healthPath,
        },
        work,
      );
      // The baseline announces no subscription: it answers where the benchmark's lua script posts.
      const path = definition.name === NAMES.limit ? "/events/task.completed" : await announcedRoute(service);
      return { service, url: `http://127.0.0.1:${port}${path}` };
    };
    for (const definition of [taskfnFunction("on-task-completed"), rawEvent(false)]) {
      // A process per mix, so each profile holds one kind of event (and its start-up, small beside them).
      for (const recurring of [false, true]) {
        const profileDir = join(work, "profiles", `${definition.name.replace(/[^\w]+/g, "-")}-${recurring}`);
        const profiled = await start(definition, ["--cpu-prof", `--cpu-prof-dir=${profileDir}`]);
        const measured = await measure(db, profiled.service, profiled.url, recurring).finally(() => profiled.service.stop());
        const [file] = await readdir(profileDir);
        const profile = JSON.parse(await readFile(join(profileDir, file!), "utf8")) as Parameters<typeof summarize>[0];
        summaries.push(`### ${definition.name}, ${mixName(recurring)}\n\n\`\`\`\n${summarize(profile, 12, WARMUP + EVENTS)}\n\`\`\``);
        // Counted in a process of its own: tracing its system calls slows it down.
        const traced = await start(definition, []);
        measured.syscalls = await syscalls(traced.service.pid, traced.url, recurring).finally(() => traced.service.stop());
        results.push(measured);
        console.log(`${definition.name}, ${mixName(recurring)}: done`);
      }
    }
    // Without the database (part 1's no-DB cell): only the framework's work, CPU-bound at c=32.
    for (const definition of [taskfnEventNoDb(), rawEvent(true)]) {
      const profileDir = join(work, "profiles", `${definition.name.replace(/[^\w]+/g, "-")}-nodb`);
      const { service, url: eventUrl } = await start(definition, ["--cpu-prof", `--cpu-prof-dir=${profileDir}`]);
      const path = new URL(eventUrl).pathname;
      const load = { url: `http://127.0.0.1:${service.port}`, script: "event.lua", connections: 32, env: { BENCH_EVENT_PATH: path } };
      try {
        await runWrk({ ...load, durationS: 2 });
        const before = service.cpuTicks();
        const run = await runWrk({ ...load, durationS: NO_DB_SECONDS });
        const events = run.rps * NO_DB_SECONDS;
        noDb.push({ server: definition.name, rps: run.rps, cpuUs: (((service.cpuTicks() - before) * 1000) / CLOCK_TICKS / events) * 1000 });
      } finally {
        await service.stop();
      }
      const [file] = await readdir(profileDir);
      const profile = JSON.parse(await readFile(join(profileDir, file!), "utf8")) as Parameters<typeof summarize>[0];
      // The warm-up run's events are in the profile too: per event, over both runs.
      summaries.push(`### ${definition.name}, c=32\n\n\`\`\`\n${summarize(profile, 12, noDb.at(-1)!.rps * (NO_DB_SECONDS + 2))}\n\`\`\``);
      console.log(`${definition.name}: done`);
    }
  } finally {
    await sidecar.stop();
    await db.end();
    await postgres.stop();
    await rm(work, { recursive: true, force: true });
  }

  const us = (n: number) => n.toFixed(0);
  const table = [
    "| server | events | wall µs/event | server CPU µs/event | statements/event | PostgreSQL exec µs/event | system calls/event (the most frequent) |",
    "|---|---|---|---|---|---|---|",
    ...results.map(
      (r) =>
        `| ${r.server} | ${mixName(r.recurring)} | ${us(r.wallUs)} | ${us(r.cpuUs)} | ${r.statementsPerEvent.toFixed(2)} | ${us(r.dbUs)} | ` +
        `${[...r.syscalls.values()].reduce((a, b) => a + b, 0).toFixed(1)} (${[...r.syscalls.entries()]
          .sort((a, b) => b[1] - a[1])
          .slice(0, 5)
          .map(([name, n]) => `${name} ${n.toFixed(1)}`)
          .join(", ")}) |`,
    ),
  ];
  const details = results.map(
    (r) =>
      `#### ${r.server}, ${mixName(r.recurring)}\n\n| statement | calls/event | exec µs/event |\n|---|---|---|\n` +
      r.detail.map((s) => `| \`${s.query.replace(/\|/g, "\\|")}\` | ${(s.calls / EVENTS).toFixed(2)} | ${us((s.ms * 1000) / EVENTS)} |`).join("\n"),
  );
  const report = [
    `# Event anatomy — ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC`,
    "",
    `Command: \`npm run bench:anatomy\` · ${EVENTS} events per row, one at a time after ${WARMUP} warm-up events, spread over ${USERS} users; load average ${loadBefore} before, ${loadavg()[0]!.toFixed(1)} after.`,
    `Wall time includes the client (the same for both servers); CPU is the server process's (10 ms ticks); PostgreSQL time is execution only (pg_stat_statements), not the round trips; system calls from a second pass of ${SYSCALL_EVENTS} events under \`strace -c -f\` (every thread of the server).`,
    "",
    ...table,
    "",
    `Without the database (parse, validate, acknowledge; only non-recurring events), under \`wrk -c32\` for ${NO_DB_SECONDS} s:`,
    "",
    "| server | events/s | server CPU µs/event |",
    "|---|---|---|",
    ...noDb.map((r) => `| ${r.server} | ${r.rps.toFixed(0)} | ${r.cpuUs.toFixed(1)} |`),
    "",
    "## Statements",
    "",
    ...details,
    "",
    "## CPU profiles (busy self time per event, warm-up and start-up included)",
    "",
    ...summaries,
    "",
  ].join("\n");
  await writeFile(RESULT, report);
  console.log(`\n${report}`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
