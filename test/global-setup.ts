/**
 * One real PostgreSQL for the whole test run, in a fresh temporary folder. The
 * migrated `taskfn_template` database is cloned by each test file (see
 * database.ts), so files run in parallel without seeing each other's rows.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import type { TestProject } from "vitest/node";
import { startEmbeddedPostgres } from "../toolkit/embedded-postgres.js";
import { freePort } from "../toolkit/net.js";
import { applyMigrations } from "../toolkit/migrate.js";

declare module "vitest" {
  export interface ProvidedContext {
    postgresAdminUrl: string;
  }
}

export const TEMPLATE_DATABASE = "taskfn_template";

export async function setup(project: TestProject): Promise<() => Promise<void>> {
  const dataDir = await mkdtemp(join(tmpdir(), "taskfn-test-pg-"));
  const postgres = await startEmbeddedPostgres({ dataDir: join(dataDir, "db"), port: await freePort() });
  const admin = new pg.Client({ connectionString: postgres.databaseUrl("postgres") });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${TEMPLATE_DATABASE}`);
  await admin.end();
  await applyMigrations(postgres.databaseUrl(TEMPLATE_DATABASE));
  project.provide("postgresAdminUrl", postgres.databaseUrl("postgres"));
  return async () => {
    await postgres.stop();
    await rm(dataDir, { recursive: true, force: true });
  };
}
