/**
 * What a test of startDev() needs to run the whole stack beside anything else:
 * a fresh data folder, loopback ports nobody holds (all taken at once, so they
 * differ), and an environment from which nothing of the developer's shell points
 * the stack elsewhere.
 */
import { chmod, mkdtemp, rm } from "node:fs/promises";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FUNCTIONS } from "../functions/catalog.js";
import { startDev, type DevOptions, type RunningDev } from "./start.js";

async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<Server>((resolve) => {
          const server = createServer().listen(0, "127.0.0.1", () => resolve(server));
        }),
    ),
  );
  const ports = servers.map((s) => (s.address() as { port: number }).port);
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  return ports;
}

/** Options for startDev() on their own folder and ports; `print` collects into `output`. */
async function isolatedDevOptions(output: string[]): Promise<DevOptions & { dataDir: string }> {
  const dataDir = await mkdtemp(join(tmpdir(), "taskfn-start-"));
  // mkdtemp makes it private; PostgreSQL may run as its own user (see toolkit/embedded-postgres.ts).
  await chmod(dataDir, 0o755);
  const [gatewayPort, sidecarPort, postgresPort, ...functionPorts] = await freePorts(3 + FUNCTIONS.length);
  const portOf = new Map(FUNCTIONS.map((f, i) => [f.appId, functionPorts[i]!]));
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !["DATABASE_URL", "AUTH_JWT_SECRET", "REMINDER_WEBHOOK_URL", "PORT"].includes(name)),
  );
  return {
    dataDir,
    outdir: join(dataDir, "dist"),
    gatewayPort,
    sidecarPort,
    postgresPort,
    functionPort: (f) => portOf.get(f.appId)!,
    env: { ...env, LOG_LEVEL: "warn" },
    print: (line) => output.push(line),
  };
}

/** startDev() on its own folder and ports (`extra` on top); stop() also removes the folder. What it printed is in `output`, and on stderr if it fails. */
export async function startIsolatedDev(output: string[], extra: DevOptions = {}): Promise<RunningDev> {
  const options = await isolatedDevOptions(output);
  const removeData = () => rm(options.dataDir, { recursive: true, force: true });
  try {
    const dev = await startDev({ ...options, ...extra });
    return { ...dev, stop: () => dev.stop().then(removeData) };
  } catch (error) {
    console.error(output.join("\n"));
    await removeData();
    throw error;
  }
}
