/** What every part of the benchmark shares: the database, the sidecar stand-in, the config. */
import { SignJWT } from "jose";
import type { BenchConfig } from "./config.js";
import type { BenchDatabase } from "./postgres.js";
import { startService, type Service, type ServiceSpec } from "./service.js";
import { freePort } from "../toolkit/net.js";

/** A patched copy of taskfn measured beside the original (BENCH_CANDIDATE_ROOT). */
export interface Candidate {
  root: string;
  /** Its dist/ folder. */
  dist: string;
  /** Its onTaskCompleted app without a database (bench/servers/taskfn-event-nodb.ts, built from its sources). */
  noDbBundle: string;
  /** Node flags it runs with (BENCH_CANDIDATE_FLAGS, default the production ones). */
  nodeFlags: string[];
}

export interface BenchContext {
  config: BenchConfig;
  db: BenchDatabase;
  /** The Dapr sidecar stand-in every server publishes to. */
  sidecar: Service;
  logDir: string;
  jwtSecret: string;
  log: (line: string) => void;
  candidate?: Candidate;
}

/** What taskfn's config reads, pointed at the bench's database and sidecar stand-in. */
export function serverEnv(ctx: BenchContext, port: number, extra: Record<string, string> = {}): Record<string, string> {
  return {
    PORT: String(port),
    HOST: "127.0.0.1",
    NODE_ENV: "production",
    DATABASE_URL: ctx.db.url,
    DAPR_HTTP_PORT: String(ctx.sidecar.port),
    AUTH_JWT_SECRET: ctx.jwtSecret,
    ...extra,
  };
}

export interface ServerDefinition {
  name: string;
  command: string;
  args: string[];
  healthPath: string;
  /** Answers 2xx once the server can do its work (its database answers); default healthPath. */
  readyPath?: string;
  env?: Record<string, string>;
}

export async function startServer(ctx: BenchContext, definition: ServerDefinition): Promise<Service> {
  const port = await freePort();
  const spec: ServiceSpec = {
    name: definition.name,
    command: definition.command,
    args: definition.args,
    env: serverEnv(ctx, port, definition.env),
    port,
    healthPath: definition.healthPath,
  };
  return startService(spec, ctx.logDir);
}

export function tokenFor(ctx: BenchContext, userId: string): Promise<string> {
  return new SignJWT({})
    .setProtectedHeader({ alg: "HS256" })
    .setSubject(userId)
    .setIssuedAt()
    .setExpirationTime("2h")
    .sign(new TextEncoder().encode(ctx.jwtSecret));
}
