import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, createUnreachableDatabase, type TestDatabase } from "../test/database.js";
import { createDatabase, DatabaseUnavailableError, isTransientDatabaseError, LOCK_TIMEOUT_MS, sql, STATEMENT_TIMEOUT_MS } from "./database.js";

const withCode = (code: string) => Object.assign(new Error(code), { code });

describe("isTransientDatabaseError", () => {
  it.each([
    ["a refused connection", withCode("ECONNREFUSED")],
    ["a reset connection", withCode("ECONNRESET")],
    ["a serialization failure", withCode("40001")],
    ["a deadlock", withCode("40P01")],
    ["too many connections", withCode("53300")],
    ["an admin shutdown", withCode("57P01")],
    ["any connection exception (class 08)", withCode("08006")],
    ["a lost connection, as the runtime names it", new DatabaseUnavailableError("Connection terminated unexpectedly")],
    ["a cause chain ending in one", new Error("outer", { cause: new Error("middle", { cause: withCode("ECONNREFUSED") }) })],
  ])("is true for %s", (_what, error) => {
    expect(isTransientDatabaseError(error)).toBe(true);
  });

  it.each([
    ["a unique violation", withCode("23505")],
    ["a syntax error", withCode("42601")],
    ["an invalid uuid", withCode("22P02")],
    ["a plain error", new Error("boom")],
    ["a string", "ECONNREFUSED"],
    ["undefined", undefined],
  ])("is false for %s", (_what, error) => {
    expect(isTransientDatabaseError(error)).toBe(false);
  });
});

describe("createDatabase (on the test PostgreSQL)", () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(() => database.drop());

  const marker = (eventId: string) => sql`INSERT INTO processed_events (consumer, event_id) VALUES ('database-test', ${eventId})`;
  const markers = async (eventId: string) =>
    (await database.db.query<{ n: number }>(sql`SELECT count(*)::int AS n FROM processed_events WHERE event_id = ${eventId}`))[0]!.n;

  it("commits a transaction's statements together when the work resolves", async () => {
    const inserted = await database.db.transaction(async (tx) => (await tx.execute(marker("commit-1"))) + (await tx.execute(marker("commit-2"))));
    expect(inserted).toBe(2);
    expect((await markers("commit-1")) + (await markers("commit-2"))).toBe(2);
  });

  it("rolls every statement back when the work throws, and rethrows its error", async () => {
    const failure = new Error("work failed after a write");
    await expect(
      database.db.transaction(async (tx) => {
        await tx.execute(marker("rollback-1"));
        throw failure;
      }),
    ).rejects.toBe(failure);
    expect(await markers("rollback-1")).toBe(0);
  });

  it("fails as transient when no connection frees up in time (a saturated pool answers 503, not 500)", async () => {
    const db = createDatabase({ url: database.url, maxConnections: 1 });
    let release = () => {};
    const holding = db.transaction(() => new Promise<void>((resolve) => (release = resolve)));
    try {
      const error = await db.transaction(async () => {}).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DatabaseUnavailableError);
      expect(isTransientDatabaseError(error)).toBe(true);
    } finally {
      release();
      await holding;
      await db.close();
    }
  });

  it("survives the server closing its idle connections (a restart, a failover): reported, replaced, not a crash", async () => {
    const idleErrors: Error[] = [];
    const db = createDatabase({ url: database.url, maxConnections: 2, onIdleError: (error) => idleErrors.push(error) });
    try {
      const [connection] = await db.query<{ pid: number }>(sql`SELECT pg_backend_pid() AS pid`);
      await database.db.query(sql`SELECT pg_terminate_backend(${connection!.pid}::int)`);
      await expect.poll(() => idleErrors.length).toBe(1);
      expect(await db.query(sql`SELECT 1 AS one`)).toEqual([{ one: 1 }]);
    } finally {
      await db.close();
    }
  });

  /** Terminates the backend serving `pid`, as a database restart or failover does (SQLSTATE 57P01). */
  const terminate = (pid: number) => database.db.query(sql`SELECT pg_terminate_backend(${pid}::int)`);
  const ownPid = async (tx: { query<Row>(s: ReturnType<typeof sql>): Promise<Row[]> }) =>
    (await tx.query<{ pid: number }>(sql`SELECT pg_backend_pid() AS pid`))[0]!.pid;

  it("fails only that transaction, as transient, when its connection is terminated while it waits between statements", async () => {
    // Before: pg emitted 'error' on the checked-out client with nobody listening, and the process died.
    const db = createDatabase({ url: database.url, maxConnections: 2 });
    try {
      const error = await db
        .transaction(async (tx) => {
          await tx.execute(marker("terminated-idle"));
          await terminate(await ownPid(tx));
          // Idle in the transaction (a handler awaiting something else) while the server closes the connection.
          await new Promise((resolve) => setTimeout(resolve, 300));
        })
        .catch((e: unknown) => e);
      expect(isTransientDatabaseError(error)).toBe(true);
      expect(await markers("terminated-idle")).toBe(0);
      // The broken connection was discarded: the pool serves the next statement.
      expect(await db.query(sql`SELECT 1 AS one`)).toEqual([{ one: 1 }]);
    } finally {
      await db.close();
    }
  });

  it("fails only that transaction, as transient, when its connection is terminated during a statement", async () => {
    const db = createDatabase({ url: database.url, maxConnections: 2 });
    try {
      const error = await db
        .transaction(async (tx) => {
          const pid = await ownPid(tx);
          setTimeout(() => void terminate(pid), 200);
          await tx.query(sql`SELECT pg_sleep(2)`);
        })
        .catch((e: unknown) => e);
      expect(isTransientDatabaseError(error)).toBe(true);
      expect(await db.query(sql`SELECT 1 AS one`)).toEqual([{ one: 1 }]);
    } finally {
      await db.close();
    }
  });

  it("bounds every statement and every lock wait, so a stuck query fails as transient instead of holding the request", async () => {
    const ms = (setting: string) => sql`(EXTRACT(EPOCH FROM current_setting(${setting})::interval) * 1000)::int`;
    const [settings] = await database.db.query<{ statement: number; lock: number }>(
      sql`SELECT ${ms("statement_timeout")} AS statement, ${ms("lock_timeout")} AS lock`,
    );
    expect(settings).toEqual({ statement: STATEMENT_TIMEOUT_MS, lock: LOCK_TIMEOUT_MS });

    const slow = await database.db.query(sql`SELECT pg_sleep(${(STATEMENT_TIMEOUT_MS + 500) / 1000})`).catch((e: unknown) => e);
    expect(slow).toMatchObject({ code: "57014" });
    expect(isTransientDatabaseError(slow)).toBe(true);

    // One transaction holds a row lock; another waiting for it gives up after lock_timeout.
    await database.db.execute(marker("locked"));
    let release = () => {};
    const holding = database.db.transaction(async (tx) => {
      await tx.execute(sql`UPDATE processed_events SET processed_at = now() WHERE event_id = 'locked'`);
      await new Promise<void>((resolve) => (release = resolve));
    });
    try {
      const blocked = await database.db.execute(sql`UPDATE processed_events SET processed_at = now() WHERE event_id = 'locked'`).catch((e: unknown) => e);
      expect(blocked).toMatchObject({ code: "55P03" });
      expect(isTransientDatabaseError(blocked)).toBe(true);
    } finally {
      release();
      await holding;
    }
  });

  it("reports an unreachable server as transient", async () => {
    const db = createUnreachableDatabase();
    const error = await db.query(sql`SELECT 1`).catch((e: unknown) => e);
    expect(isTransientDatabaseError(error)).toBe(true);
    await db.close();
  });
});
