import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient, type Prisma } from "../generated/prisma/client.js";

export type Database = PrismaClient;
/** The client handed to work inside `$transaction`: every write through it commits together. */
export type Transaction = Prisma.TransactionClient;
export type { Prisma };

export interface DatabaseOptions {
  url: string;
  /** Pool size per process. Functions are small and many: keep each pool small. */
  maxConnections?: number;
}

export function createDatabase({ url, maxConnections = 10 }: DatabaseOptions): Database {
  const adapter = new PrismaPg({ connectionString: url, max: maxConnections });
  return new PrismaClient({ adapter });
}

const TRANSIENT_SQLSTATES = new Set([
  "40001", // serialization_failure
  "40P01", // deadlock_detected
  "55P03", // lock_not_available
  "57P01", // admin_shutdown
  "57P03", // cannot_connect_now
  "53300", // too_many_connections
]);
const TRANSIENT_NODE_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "ENOTFOUND"]);
// P2028: no connection for a transaction in time (pool saturated): 503, not 500.
const TRANSIENT_PRISMA_CODES = new Set(["P1001", "P1002", "P1017", "P2024", "P2028", "P2034"]);

/** True for failures that say "try again later" rather than "this request is wrong". */
export function isTransientDatabaseError(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e && typeof e === "object" && depth < 5; depth++) {
    const { code, originalCode, kind } = e as { code?: unknown; originalCode?: unknown; kind?: unknown };
    for (const c of [code, originalCode]) {
      if (typeof c !== "string") continue;
      if (TRANSIENT_SQLSTATES.has(c) || TRANSIENT_NODE_CODES.has(c) || TRANSIENT_PRISMA_CODES.has(c)) return true;
      if (c.startsWith("08")) return true; // connection_exception class
    }
    if (kind === "DatabaseNotReachable" || kind === "ConnectionClosed" || kind === "SocketTimeout") return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}
