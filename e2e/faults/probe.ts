/**
 * The scenarios' own view of the database: one short-lived connection per
 * question, so a PostgreSQL restart in the middle of a scenario costs the
 * probe nothing but a retry.
 */
import pg from "pg";
import { setTimeout as sleep } from "node:timers/promises";

export interface Probe {
  /** Runs one statement, retrying for up to `timeoutMs` while the server is unreachable. */
  query<Row extends object>(text: string, values?: unknown[], timeoutMs?: number): Promise<Row[]>;
  /** `SELECT count(*)` of the statement's rows. */
  count(text: string, values?: unknown[]): Promise<number>;
}

async function once<Row extends object>(url: string, text: string, values: unknown[]): Promise<Row[]> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3_000 });
  // A connection the server drops must not become an uncaught 'error'.
  client.on("error", () => {});
  await client.connect();
  try {
    return (await client.query<Row>(text, values)).rows;
  } finally {
    await client.end().catch(() => {});
  }
}

// The server is shutting down or starting: the statement did not run, ask again.
const notServing = (error: unknown) => !(error instanceof pg.DatabaseError) || error.code === "57P01" || error.code === "57P03";

export function createProbe(url: string): Probe {
  const query = async <Row extends object>(text: string, values: unknown[] = [], timeoutMs = 30_000) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        return await once<Row>(url, text, values);
      } catch (error) {
        if (!notServing(error) || Date.now() > deadline) throw error;
        await sleep(500);
      }
    }
  };
  return {
    query,
    async count(text, values) {
      const [row] = await query<{ count: string }>(`SELECT count(*) FROM (${text}) AS counted`, values);
      return Number(row!.count);
    },
  };
}
