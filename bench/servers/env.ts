/** The environment every server under test reads, set by the runner like serve.ts's config. */
function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

export const PORT = Number(required("PORT"));
export const DAPR_HTTP_PORT = Number(process.env.DAPR_HTTP_PORT ?? 3500);
/** Set: framework overhead alone (parse, validate, answer), no database work. */
export const NO_DB = process.env.BENCH_NO_DB === "1";
/** Same default as taskfn's DATABASE_POOL_SIZE. */
export const POOL_SIZE = Number(process.env.DATABASE_POOL_SIZE ?? 10);
export const databaseUrl = () => required("DATABASE_URL");
export const jwtSecret = () => required("AUTH_JWT_SECRET");
