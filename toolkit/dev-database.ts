/**
 * The database `npm start` runs on: DATABASE_URL when given, else the embedded
 * PostgreSQL in the data folder. Either way the `taskfn` database is created
 * when missing and migrated.
 */
import pg from "pg";
import { startEmbeddedPostgres } from "./embedded-postgres.js";
import { applyMigrations } from "./migrate.js";

export const DEV_DATABASE = "taskfn";

export interface DevDatabaseOptions {
  /** Use this database as is (created if missing, then migrated). */
  url?: string;
  /** Embedded PostgreSQL data folder and port, when no url is given. */
  dataDir: string;
  port: number;
  /** Default: this repository's prisma/migrations. */
  migrationsDir?: string;
  onLog?: (line: string) => void;
}

export interface DevDatabase {
  url: string;
  /** What to tell the user: `embedded (port 54329)` or the host of DATABASE_URL. */
  description: string;
  stop(): Promise<void>;
}

async function createDatabaseIfMissing(maintenanceUrl: string, name: string): Promise<void> {
  const client = new pg.Client({ connectionString: maintenanceUrl });
  await client.connect();
  try {
    const { rowCount } = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [name]);
    if (rowCount === 0) await client.query(`CREATE DATABASE "${name}"`);
  } finally {
    await client.end();
  }
}

export async function startDevDatabase({ url, dataDir, port, migrationsDir, onLog }: DevDatabaseOptions): Promise<DevDatabase> {
  if (url) {
    const target = new URL(url);
    const name = decodeURIComponent(target.pathname.slice(1));
    if (name) {
      const maintenance = new URL(url);
      maintenance.pathname = "/postgres";
      await createDatabaseIfMissing(maintenance.href, name);
    }
    await applyMigrations(url, migrationsDir);
    return { url, description: `DATABASE_URL (${target.host}${target.pathname})`, stop: async () => {} };
  }
  const server = await startEmbeddedPostgres({ dataDir, port, onLog });
  try {
    await createDatabaseIfMissing(server.databaseUrl("postgres"), DEV_DATABASE);
    const devUrl = server.databaseUrl(DEV_DATABASE);
    await applyMigrations(devUrl, migrationsDir);
    return { url: devUrl, description: `embedded, port ${port}, data in ${dataDir}`, stop: () => server.stop() };
  } catch (error) {
    await server.stop();
    throw error;
  }
}
