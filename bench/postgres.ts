/**
 * The database the benchmark measures against: its own embedded PostgreSQL in a
 * temporary folder (nothing shared with `npm start` or the tests), or the one
 * DATABASE_URL points at. Either way the schema comes from prisma/migrations.
 */
import { chmod, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { startEmbeddedPostgres } from "../toolkit/embedded-postgres.js";
import { applyMigrations } from "../toolkit/migrate.js";
import { freePort } from "../toolkit/net.js";

export interface BenchDatabase {
  url: string;
  /** Empties every table, so each measurement starts from the same state. */
  reset(): Promise<void>;
  query(sql: string, params?: unknown[]): Promise<pg.QueryResult>;
  stop(): Promise<void>;
}

const DATABASE = "taskfn_bench";

export async function startBenchDatabase(log: (line: string) => void): Promise<BenchDatabase> {
  let url = process.env.DATABASE_URL;
  let stopServer = async () => {};
  if (url) {
    log(`using DATABASE_URL (its tables are truncated between measurements)`);
  } else {
    const dir = await mkdtemp(join(tmpdir(), "taskfn-bench-pg-"));
    // PostgreSQL may run as its own user (see toolkit/embedded-postgres.ts).
    await chmod(dir, 0o755);
    // Commit times let part 4 time the pipeline after the fact instead of polling the database while it runs.
    const server = await startEmbeddedPostgres({ dataDir: join(dir, "db"), port: await freePort(), settings: { track_commit_timestamp: "on" } });
    const admin = new pg.Client({ connectionString: server.databaseUrl("postgres") });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${DATABASE}`);
    await admin.end();
    url = server.databaseUrl(DATABASE);
    stopServer = async () => {
      await server.stop();
      await rm(dir, { recursive: true, force: true });
    };
    log(`embedded PostgreSQL in ${dir}`);
  }
  await applyMigrations(url);
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  // An idle connection the server drops (it stops at the end of a run) is nobody's failed query; pg would throw it as uncaught.
  pool.on("error", (error) => log(`bench database connection closed: ${error.message}`));
  return {
    url,
    reset: async () => {
      await pool.query("TRUNCATE tasks, outbox_events, processed_events");
    },
    query: (sql, params) => pool.query(sql, params),
    stop: async () => {
      await pool.end();
      await stopServer();
    },
  };
}
