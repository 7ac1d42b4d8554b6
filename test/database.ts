import { randomBytes } from "node:crypto";
import pg from "pg";
import { inject } from "vitest";
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "../generated/prisma/client.js";
import { createDatabase, type Database } from "../runtime/database.js";

export interface TestDatabase {
  url: string;
  /** What the functions run on. */
  db: Database;
  /** Prisma's typed client, for the tests' own reads and setup. */
  prisma: PrismaClient;
  drop(): Promise<void>;
}

async function admin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: inject("postgresAdminUrl") });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/**
 * A fresh, migrated database of its own (a clone of the template), or with
 * `{ migrated: false }` an empty one (for testing the migrations themselves).
 */
export async function createTestDatabase({ migrated = true }: { migrated?: boolean } = {}): Promise<TestDatabase> {
  const name = `test_${randomBytes(6).toString("hex")}`;
  await admin((client) => client.query(`CREATE DATABASE ${name}${migrated ? " TEMPLATE taskfn_template" : ""}`));
  const url = inject("postgresAdminUrl").replace(/\/postgres$/, `/${name}`);
  const db = createDatabase({ url, maxConnections: 10 });
  const prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString: url, max: 4 }) });
  return {
    url,
    db,
    prisma,
    async drop() {
      await Promise.all([db.close(), prisma.$disconnect()]);
      await admin((client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
    },
  };
}

/** A client for a database nobody listens for: every query fails to connect (port 9 is "discard", closed here). */
export function createUnreachableDatabase(): Database {
  return createDatabase({ url: "postgresql://taskfn:nobody@127.0.0.1:9/taskfn", maxConnections: 1 });
}

export interface RowCounts {
  tasks: number;
  outbox: number;
  unpublished: number;
  processed: number;
}

/** How many rows each table holds: compare before and after to show that nothing changed. */
export async function countRows(db: PrismaClient): Promise<RowCounts> {
  const [tasks, outbox, unpublished, processed] = await Promise.all([
    db.task.count(),
    db.outboxEvent.count(),
    db.outboxEvent.count({ where: { publishedAt: null } }),
    db.processedEvent.count(),
  ]);
  return { tasks, outbox, unpublished, processed };
}
