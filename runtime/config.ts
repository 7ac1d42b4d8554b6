import type { AuthOptions } from "./auth.js";

export interface RuntimeConfig {
  port: number;
  host: string;
  databaseUrl: string;
  databasePoolSize: number;
  daprBaseUrl: string;
  daprApiToken: string | undefined;
  appApiToken: string | undefined;
  auth: AuthOptions | undefined;
}

type Env = Record<string, string | undefined>;

function positiveInt(env: Env, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${name} must be a positive integer (got "${raw}")`);
  return value;
}

/** Reads the environment once at start-up and fails with a message naming what is missing. */
export function readConfig(env: Env, defaults: { port: number; needsAuth: boolean }): RuntimeConfig {
  const databaseUrl = env.DATABASE_URL;
  if (!databaseUrl) throw new Error("DATABASE_URL is not set: point it at the PostgreSQL database (npm start sets it for you).");
  const auth: AuthOptions | undefined =
    env.AUTH_JWT_SECRET || env.AUTH_JWKS_URL
      ? {
          secret: env.AUTH_JWT_SECRET || undefined,
          jwksUrl: env.AUTH_JWKS_URL || undefined,
          issuer: env.AUTH_ISSUER || undefined,
          audience: env.AUTH_AUDIENCE || undefined,
        }
      : undefined;
  if (defaults.needsAuth && !auth) throw new Error("Set AUTH_JWT_SECRET (HS256) or AUTH_JWKS_URL: HTTP functions never run without authentication.");
  return {
    port: positiveInt(env, "PORT", defaults.port),
    host: env.HOST || "0.0.0.0",
    databaseUrl,
    databasePoolSize: positiveInt(env, "DATABASE_POOL_SIZE", 10),
    daprBaseUrl: `http://${env.DAPR_HOST || "127.0.0.1"}:${positiveInt(env, "DAPR_HTTP_PORT", 3500)}`,
    daprApiToken: env.DAPR_API_TOKEN || undefined,
    appApiToken: env.APP_API_TOKEN || undefined,
    auth,
  };
}
