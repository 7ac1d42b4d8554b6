/**
 * toolkit/migrate.ts applies prisma/migrations the way `prisma migrate deploy` does:
 * in order, once, each in a transaction, recorded with Prisma's checksums, and
 * it refuses to run over an applied migration that was edited afterwards.
 */
import { createHash } from "node:crypto";
import { appendFile, cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../test/database.js";
import { applyMigrations, MIGRATIONS_DIR, readMigrations } from "./migrate.js";

interface MigrationRow {
  id: string;
  checksum: string;
  migration_name: string;
  finished_at: Date | null;
  rolled_back_at: Date | null;
  applied_steps_count: number;
}

let database: TestDatabase;
const scratch: string[] = [];
beforeEach(async () => {
  database = await createTestDatabase({ migrated: false });
});
afterEach(() => database.drop());
afterAll(() => Promise.all(scratch.map((dir) => rm(dir, { recursive: true, force: true }))));

async function query<T extends pg.QueryResultRow>(sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}
const appliedRows = () => query<MigrationRow>(`SELECT * FROM "_prisma_migrations" ORDER BY migration_name`);
const publicTables = async () =>
  (await query<{ table_name: string }>(`SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1`)).map((r) => r.table_name);

/** A copy of prisma/migrations to change without touching the real one. */
async function migrationsCopy(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "taskfn-migrations-"));
  scratch.push(dir);
  await cp(MIGRATIONS_DIR, dir, { recursive: true });
  return dir;
}
async function addMigration(dir: string, name: string, sql: string): Promise<void> {
  await mkdir(join(dir, name));
  await writeFile(join(dir, name, "migration.sql"), sql);
}
const migrationNames = async () =>
  (await readdir(MIGRATIONS_DIR, { withFileTypes: true }))
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();

describe("applyMigrations", () => {
  it("applies every migration folder, in name order, to an empty database", async () => {
    const names = await migrationNames();
    expect(names.length).toBeGreaterThan(0);
    expect(await applyMigrations(database.url)).toEqual(names);
    expect(await publicTables()).toEqual(expect.arrayContaining(["_prisma_migrations", "outbox_events", "processed_events", "tasks"]));
  });

  it("records each migration as Prisma does: name, sha256 of the file, finished, one step", async () => {
    await applyMigrations(database.url);
    const rows = await appliedRows();
    const names = await migrationNames();
    expect(rows.map((r) => r.migration_name)).toEqual(names);
    for (const row of rows) {
      const sql = await readFile(join(MIGRATIONS_DIR, row.migration_name, "migration.sql"));
      expect(row.checksum).toBe(createHash("sha256").update(sql).digest("hex"));
      expect(row.checksum).toMatch(/^[0-9a-f]{64}$/);
      expect(row).toMatchObject({ finished_at: expect.any(Date), rolled_back_at: null, applied_steps_count: 1 });
      expect(row.id).toMatch(/^[0-9a-f-]{36}$/);
    }
  });

  it("is a no-op the second time: nothing applied, nothing recorded, schema unchanged", async () => {
    await applyMigrations(database.url);
    const rows = await appliedRows();
    const tables = await publicTables();
    expect(await applyMigrations(database.url)).toEqual([]);
    expect(await appliedRows()).toEqual(rows);
    expect(await publicTables()).toEqual(tables);
  });

  it("applies only what is new on top of what was applied", async () => {
    await applyMigrations(database.url);
    const dir = await migrationsCopy();
    await addMigration(dir, "99990101000000_add_notes", `ALTER TABLE "tasks" ADD COLUMN "notes" TEXT;`);
    expect(await applyMigrations(database.url, dir)).toEqual(["99990101000000_add_notes"]);
    expect((await appliedRows()).map((r) => r.migration_name)).toContain("99990101000000_add_notes");
  });

  it("refuses to run when an applied migration was changed afterwards, and applies nothing", async () => {
    await applyMigrations(database.url);
    const dir = await migrationsCopy();
    const [first] = await migrationNames();
    await appendFile(join(dir, first!, "migration.sql"), "\n-- edited after it was applied\n");
    await addMigration(dir, "99990101000000_after_the_edit", `CREATE TABLE "should_not_exist" (id int);`);
    const before = await appliedRows();

    await expect(applyMigrations(database.url, dir)).rejects.toThrow(`Migration ${first} was changed after it was applied; add a new migration instead.`);
    expect(await appliedRows()).toEqual(before);
    expect(await publicTables()).not.toContain("should_not_exist");
  });

  it("rolls a failing migration back completely, records nothing for it, and names it in the error", async () => {
    const dir = await migrationsCopy();
    await addMigration(dir, "99990101000000_broken", `CREATE TABLE "half_done" (id int);\nSELECT * FROM "no_such_table";`);
    await expect(applyMigrations(database.url, dir)).rejects.toThrow(/^Migration 99990101000000_broken failed: .*no_such_table/);
    expect(await publicTables()).not.toContain("half_done");
    expect((await appliedRows()).map((r) => r.migration_name)).toEqual(await migrationNames());
  });

  it("applies each migration once when two processes migrate at the same time", async () => {
    const results = await Promise.all([applyMigrations(database.url), applyMigrations(database.url)]);
    const names = await migrationNames();
    expect(results.map((r) => r.length).sort()).toEqual([0, names.length]);
    expect((await appliedRows()).map((r) => r.migration_name)).toEqual(names);
  });

  it("reads the same checksums it records", async () => {
    const migrations = await readMigrations();
    await applyMigrations(database.url);
    expect((await appliedRows()).map((r) => [r.migration_name, r.checksum])).toEqual(migrations.map((m) => [m.name, m.checksum]));
  });
});
