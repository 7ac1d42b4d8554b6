/**
 * `npm start`: all of taskfn on one machine from a fresh clone, nothing else to
 * install. PostgreSQL (embedded unless DATABASE_URL is set) and the esbuild
 * bundles, then every function as its own process (the same bundles the
 * images run), the Dapr stand-in on 3500 and the gateway on 8080. Security is
 * on as in production: JWTs for the API, per-app Dapr API tokens.
 *
 * `npm run dev` (`--watch`) is the same, and then rebuilds and restarts only
 * what a saved change touches (dev/watch.ts).
 *
 * startDev() is the same thing for tests, on ports and folders of their choice.
 */
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { pino, type Logger } from "pino";
import { FUNCTIONS, HTTP_FUNCTIONS } from "../functions/catalog.js";
import type { FunctionDefinition } from "../runtime/types.js";
import { DIST_DIR } from "../toolkit/build.js";
import { formatBanner } from "./banner.js";
import { ensureBundles } from "./bundles.js";
import { devJwtSecret, mintDevToken } from "../toolkit/dev-auth.js";
import { startDevDatabase, type DevDatabase } from "../toolkit/dev-database.js";
import { createGateway } from "../toolkit/gateway.js";
import { listen } from "../toolkit/listen.js";
import { createLineFormatter } from "../toolkit/log-format.js";
import { applyMigrations } from "../toolkit/migrate.js";
import { DEV_DATA_DIR, ROOT } from "../toolkit/paths.js";
import { assertPortsFree } from "../toolkit/ports.js";
import { startSidecar, type SidecarApp } from "./dapr-stand-in/sidecar.js";
import { startFunctionProcesses } from "./function-processes.js";
import { watchSources } from "./watch.js";

export interface DevOptions {
  /** The source tree: functions, migrations and Dapr resources are read from here. Default: this repository. */
  root?: string;
  /** `npm run dev`: rebuild and restart what a saved change touches. */
  watch?: boolean;
  /** Embedded PostgreSQL data (`<dataDir>/postgres`) and the dev JWT secret. Default `.data/`. */
  dataDir?: string;
  /** Where the bundles are built (and reused while current). Default `dist/`. */
  outdir?: string;
  /** Default PORT, else 8080. */
  gatewayPort?: number;
  /** Default 3500. */
  sidecarPort?: number;
  /** Embedded PostgreSQL's port. Default TASKFN_PG_PORT, else 54329. */
  postgresPort?: number;
  /** Default: each definition's own port. */
  functionPort?: (definition: FunctionDefinition) => number;
  /** Read for DATABASE_URL, AUTH_JWT_SECRET, REMINDER_WEBHOOK_URL, LOG_LEVEL, LOG_FORMAT, and passed to the functions. Default process.env. */
  env?: Record<string, string | undefined>;
  /** Receives every line of output. Default: stdout. */
  print?: (line: string) => void;
  /** Aborts a start still in progress (e.g. Ctrl-C while waiting): what already runs is stopped and startDev rejects. */
  signal?: AbortSignal;
}

export interface RunningDev {
  gatewayUrl: string;
  /** A token the functions accept for this user. */
  mintToken(userId: string): Promise<string>;
  /** Each function's process id by app id. */
  pids(): Map<string, number | undefined>;
  /** Gateway, stand-in, functions (they drain), then PostgreSQL. */
  stop(): Promise<void>;
}

function secretToken(): string {
  return randomBytes(24).toString("base64url");
}

function portFrom(env: Record<string, string | undefined>, name: string, fallback: number): number {
  const value = env[name];
  if (!value) return fallback;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 1 || port > 65_535) throw new Error(`${name} must be a port number (got "${value}")`);
  return port;
}

export async function startDev(options: DevOptions = {}): Promise<RunningDev> {
  const started = performance.now();
  const env = options.env ?? process.env;
  const print = options.print ?? ((line: string) => console.log(line));
  const dataDir = options.dataDir ?? DEV_DATA_DIR;
  const root = options.root ?? ROOT;
  const migrationsDir = join(root, "prisma", "migrations");
  const outdir = options.outdir ?? DIST_DIR;
  const gatewayPort = options.gatewayPort ?? portFrom(env, "PORT", 8080);
  const sidecarPort = options.sidecarPort ?? 3500;
  const postgresPort = options.postgresPort ?? portFrom(env, "TASKFN_PG_PORT", 54329);
  const portOf = options.functionPort ?? ((definition: FunctionDefinition) => definition.port);
  const logLevel = env.LOG_LEVEL || "info";
  const format = createLineFormatter({
    format: env.LOG_FORMAT === "json" ? "json" : "pretty",
    color: Boolean(process.stdout.isTTY) && !env.NO_COLOR && !options.print,
    width: Math.max(...FUNCTIONS.map((f) => f.appId.length)),
  });
  const logger = (source: string): Logger =>
    pino(
      { level: logLevel, base: { fn: source }, timestamp: pino.stdTimeFunctions.isoTime },
      { write: (line: string) => print(format(source, line.trimEnd())) },
    );
  const log = logger("npm-start");

  await assertPortsFree([
    { port: gatewayPort, owner: "gateway" },
    { port: sidecarPort, owner: "Dapr stand-in" },
    ...(env.DATABASE_URL ? [] : [{ port: postgresPort, owner: "embedded PostgreSQL" }]),
    ...FUNCTIONS.map((f) => ({ port: portOf(f), owner: f.appId })),
  ]);

  const stops: (() => Promise<void>)[] = [];
  // Aborted first thing on stop: a function exiting from then on is not restarted.
  const shutdown = new AbortController();
  const stopAll = async () => {
    shutdown.abort();
    for (const stop of stops.splice(0).reverse()) await stop();
  };
  try {
    print("[1/4] PostgreSQL…");
    print(`[2/4] Bundling ${FUNCTIONS.length} functions…`);
    const [database, build] = await Promise.allSettled([
      startDevDatabase({
        url: env.DATABASE_URL,
        dataDir: join(dataDir, "postgres"),
        port: postgresPort,
        migrationsDir,
        onLog: (line) => log.debug(line.trim()),
      }).then((db: DevDatabase) => {
        print(`      PostgreSQL ready: ${db.description} (${Math.round(performance.now() - started)} ms)`);
        return db;
      }),
      ensureBundles(outdir, FUNCTIONS, root).then((bundles) => {
        print(
          bundles.built
            ? `      ${FUNCTIONS.length} bundles built in ${bundles.ms} ms`
            : `      bundles already built from the current sources (checked in ${bundles.ms} ms)`,
        );
        return bundles;
      }),
    ]);
    if (database.status === "fulfilled") stops.push(() => database.value.stop());
    if (database.status === "rejected") throw database.reason;
    if (build.status === "rejected") throw build.reason;

    print(`[3/4] Starting ${FUNCTIONS.length} functions, the Dapr stand-in (:${sidecarPort}) and the gateway (:${gatewayPort})…`);
    const secret = await devJwtSecret(dataDir, env);
    const apps: Required<SidecarApp>[] = FUNCTIONS.map((f) => ({ appId: f.appId, port: portOf(f), appApiToken: secretToken(), daprApiToken: secretToken() }));
    const functions = startFunctionProcesses({
      apps,
      bundles: build.value.paths,
      env: { ...env, DATABASE_URL: database.value.url, DAPR_HTTP_PORT: String(sidecarPort), AUTH_JWT_SECRET: secret, LOG_LEVEL: logLevel },
      onLine: (source, line) => print(format(source, line)),
      log,
      shutdown: shutdown.signal,
    });
    stops.push(() => functions.stop());

    const daprDir = join(root, "dapr");
    const sidecarOptions = {
      apps,
      // Like `daprd --resources-path dapr/components --resources-path dapr`; the webhook only when configured.
      resourcesPaths: [join(daprDir, "components"), daprDir, ...(env.REMINDER_WEBHOOK_URL ? [join(daprDir, "optional")] : [])],
      port: sidecarPort,
      env,
      log: logger("dapr"),
    };
    let sidecar = await startSidecar(sidecarOptions);
    stops.push(() => sidecar.stop());

    const gateway = await listen(createGateway({ functions: HTTP_FUNCTIONS, portOf }), gatewayPort);
    stops.push(() => gateway.close());

    print("[4/4] Waiting for every function to be ready…");
    await Promise.all([sidecar.subscribed, functions.ready(options.signal)]);

    if (options.watch) {
      const watching = await watchSources({
        root,
        outdir,
        functions: FUNCTIONS,
        print,
        restartFunctions: (appIds) => functions.restart(appIds),
        migrate: () => applyMigrations(database.value.url, migrationsDir),
        async restartStandIn() {
          await sidecar.stop();
          sidecar = await startSidecar(sidecarOptions);
          await sidecar.subscribed;
        },
      });
      stops.push(() => watching.close());
    }

    const gatewayUrl = `http://localhost:${gatewayPort}`;
    print(
      formatBanner({
        gatewayUrl,
        sidecarUrl: `http://127.0.0.1:${sidecar.port}`,
        functions: FUNCTIONS,
        portOf,
        demoToken: await mintDevToken("demo", secret),
        readyMs: performance.now() - started,
      }),
    );

    let stopped: Promise<void> | undefined;
    return {
      gatewayUrl,
      mintToken: (userId) => mintDevToken(userId, secret),
      pids: () => functions.pids(),
      stop() {
        stopped ??= (async () => {
          print("Stopping…");
          await stopAll();
          print("Stopped.");
        })();
        return stopped;
      },
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
