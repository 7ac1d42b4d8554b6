import { randomBytes } from "node:crypto";
import pg from "pg";
import { inject } from "vitest";
import { createDatabase, type Database } from "../runtime/database.js";

export interface TestDatabase {
  url: string;
  db: Database;
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

/** A fresh, migrated database of its own (a clone of the template). */
export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `test_${randomBytes(6).toString("hex")}`;
  await admin((client) => client.query(`CREATE DATABASE ${name} TEMPLATE taskfn_template`));
  const url = inject("postgresAdminUrl").replace(/\/postgres$/, `/${name}`);
  const db = createDatabase({ url, maxConnections: 10 });
  return {
    url,
    db,
    async drop() {
      await db.$disconnect();
      await admin((client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
    },
  };
}
