/**
 * The task store as the functions see it: plain SQL on a `pg` pool, and
 * transactions on one of its connections.
 *
 * Prisma owns the schema (prisma/schema.prisma), the migrations and the row types;
 * tests and tools use its typed client (test/database.ts). The functions do not:
 * every statement they run sits on a request's or an event's path, and measured
 * here Prisma Client's interactive transaction costs 2× the CPU of BEGIN/COMMIT on
 * `pg` (253 vs 119 µs) plus ~125 µs per statement, and its query compiler made
 * each bundle 6.5 MB (~70 ms to compile at start) and grew the process by ~75 MiB
 * at the first query. See bench/ and the README.
 */
import pg from "pg";
import type { Sql } from "sql-template-tag";
import type { StatementSpans } from "./tracing.js";

export { default as sql, empty, join, raw, type Sql } from "sql-template-tag";

/** Runs statements built with the `sql` tag: the pool, or one transaction's connection. */
export interface SqlClient {
  /** The rows the statement returns. */
  query<Row>(statement: Sql): Promise<Row[]>;
  /** How many rows the statement changed. */
  execute(statement: Sql): Promise<number>;
}

/** The connection of one transaction: every statement run on it commits together. */
export type Transaction = SqlClient;

export interface Database extends SqlClient {
  /** Runs `work` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(work: (tx: Transaction) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  url: string;
  /** Pool size per process. Functions are small and many: keep each pool small. */
  maxConnections?: number;
  /** Called when an idle connection breaks (the server restarted): the pool replaces it. */
  onIdleError?: (error: Error) => void;
  /** A span per statement (the recording tracer's); absent, statements run with no tracing work at all. */
  statementSpans?: StatementSpans;
}

/** No free connection in time: the store is saturated or unreachable; try again later. */
export class DatabaseUnavailableError extends Error {
  override readonly name = "DatabaseUnavailableError";
}

// pg reports a lost or unobtainable connection as a plain Error (a server-side
// failure is a DatabaseError with a SQLSTATE): name it, so it reads as "try again".
function asUnavailable(error: unknown): unknown {
  const lostConnection = error instanceof Error && !(error instanceof pg.DatabaseError) && /connect|terminated|timeout/i.test(error.message);
  return lostConnection ? new DatabaseUnavailableError(error.message, { cause: error }) : error;
}

function sqlClient(run: (statement: Sql) => Promise<pg.QueryResult>): SqlClient {
  return {
    query: async <Row>(statement: Sql) => (await run(statement)).rows as Row[],
    execute: async (statement) => (await run(statement)).rowCount ?? 0,
  };
}

/**
 * Every statement sits on a request's or an event's path: one that runs longer
 * than this is cancelled (SQLSTATE 57014) and answered as 503 / RETRY, instead of
 * holding a connection and its caller until the client gives up.
 */
export const STATEMENT_TIMEOUT_MS = 5_000;
/** Waiting for another transaction's row lock longer than this fails the statement (55P03, transient). */
export const LOCK_TIMEOUT_MS = 2_000;

export function createDatabase({ url, maxConnections = 10, onIdleError = () => {}, statementSpans }: DatabaseOptions): Database {
  const pool = new pg.Pool({
    connectionString: url,
    max: maxConnections,
    // Waiting longer for a free connection only queues more work behind a saturated
    // store: fail as transient (503 / retry) instead.
    connectionTimeoutMillis: 2_000,
    statement_timeout: STATEMENT_TIMEOUT_MS,
    lock_timeout: LOCK_TIMEOUT_MS,
    // A transaction left open by a stuck process must not hold its row locks forever.
    idle_in_transaction_session_timeout: 10_000,
  });
  // Without a listener a broken idle connection would crash the process.
  pool.on("error", onIdleError);

  // Text and values, not the Sql object: pg copies a config object property by
  // property (getters included) before every query; a text it takes as it is.
  const untracedOn = (client: pg.Pool | pg.PoolClient) => (statement: Sql) =>
    client.query(statement.text, statement.values).catch((error: unknown) => Promise.reject(asUnavailable(error)));
  const tracedOn = (spans: StatementSpans) => (client: pg.Pool | pg.PoolClient) => {
    const run = untracedOn(client);
    return (statement: Sql) => {
      const end = spans(statement.text);
      if (!end) return run(statement);
      return run(statement).then(
        (result) => (end(), result),
        (error: unknown) => (end(error), Promise.reject(error)),
      );
    };
  };
  const runOn = statementSpans ? tracedOn(statementSpans) : untracedOn;

  return {
    ...sqlClient(runOn(pool)),
    async transaction(work) {
      const client = await pool.connect().catch((error: unknown) => Promise.reject(asUnavailable(error)));
      // The pool listens for errors on idle clients only. A checked-out connection the
      // server closes (57P01 on a restart, a failover, a dropped socket) emits 'error'
      // on the client, which without a listener kills the process: record it instead.
      // The transaction's next statement, or its COMMIT, then fails as transient, and
      // release(broken) makes the pool discard the connection.
      let broken: Error | undefined;
      const onBroken = (error: Error) => (broken ??= error);
      client.on("error", onBroken);
      try {
        await client.query("BEGIN");
        const result = await work(sqlClient(runOn(client)));
        await client.query("COMMIT");
        return result;
      } catch (error) {
        // A connection that cannot even roll back is closed instead of going back to the pool.
        await client.query("ROLLBACK").catch((rollbackError: Error) => (broken = rollbackError));
        throw asUnavailable(error);
      } finally {
        client.off("error", onBroken);
        client.release(broken);
      }
    },
    close: () => pool.end(),
  };
}

const TRANSIENT_SQLSTATES = new Set([
  "40001", // serialization_failure
  "40P01", // deadlock_detected
  "57014", // query_canceled: statement_timeout
  "55P03", // lock_not_available
  "57P01", // admin_shutdown
  "57P03", // cannot_connect_now
  "53300", // too_many_connections
]);
const TRANSIENT_NODE_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "ENOTFOUND"]);

/** True for failures that say "try again later" rather than "this request is wrong". */
export function isTransientDatabaseError(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e && typeof e === "object" && depth < 5; depth++) {
    if (e instanceof DatabaseUnavailableError) return true;
    const { code, cause } = e as { code?: unknown; cause?: unknown };
    if (typeof code === "string") {
      if (TRANSIENT_SQLSTATES.has(code) || TRANSIENT_NODE_CODES.has(code)) return true;
      if (code.startsWith("08")) return true; // connection_exception class
    }
    e = cause;
  }
  return false;
}
