/**
 * One instance of a function as it runs in production: its own Node process
 * beside its own daprd (app id = the function's appId), with a fresh token
 * pair: the app sends DAPR_API_TOKEN to its sidecar, the sidecar sends
 * APP_API_TOKEN to the app. The sidecar can be stopped and started again on
 * the same ports, which is how the e2e suite takes a sidecar down.
 */
import { randomBytes } from "node:crypto";
import type { FunctionDefinition } from "../runtime/types.js";
import { startDaprd, type RunningDaprd } from "./daprd.js";
import { freePort } from "./net.js";
import { answers, launch, type Exit } from "./process.js";

export interface AppInstanceOptions {
  definition: FunctionDefinition;
  /** Tells replicas apart in logs: `on-reminder-due`, `on-reminder-due#2`. */
  name: string;
  bundle: string;
  port: number;
  resourcesPath: string;
  /** The function's environment (DATABASE_URL, AUTH_JWT_SECRET…); ports and tokens are added here. */
  env: Record<string, string>;
  /** Extra environment of its daprd: values of components' envRef, such as REMINDER_WEBHOOK_URL. */
  sidecarEnv?: Record<string, string>;
  daprLogLevel?: string;
  log(source: string, line: string): void;
  /** Told when the app or its daprd (`<name>.dapr`) exits without being asked to. */
  onCrash?: (name: string, exit: Exit) => void;
}

export interface AppInstance {
  appId: string;
  name: string;
  port: number;
  daprHttpPort: number;
  /** What the app presents to its sidecar. */
  daprApiToken: string;
  /** What the sidecar presents to the app. */
  appApiToken: string;
  stopSidecar(): Promise<void>;
  /** SIGKILL of the sidecar alone (no drain); startSidecar() brings it back on the same ports. */
  killSidecar(): Promise<void>;
  startSidecar(): Promise<void>;
  /** Signals the app process alone (SIGTERM: its drain) and resolves with its exit. */
  signalApp(signal: NodeJS.Signals): Promise<Exit>;
  stop(): Promise<void>;
}

function secretToken(): string {
  return randomBytes(24).toString("base64url");
}

export async function startAppInstance(options: AppInstanceOptions): Promise<AppInstance> {
  const { definition, name, port } = options;
  const [daprHttpPort, daprGrpcPort] = [await freePort(), await freePort()];
  const tokens = { DAPR_API_TOKEN: secretToken(), APP_API_TOKEN: secretToken() };

  // daprd waits for the app's port before it reports ready, so the app starts first.
  const app = await launch({
    name,
    command: process.execPath,
    args: ["--enable-source-maps", options.bundle],
    env: { ...options.env, ...tokens, DAPR_HTTP_PORT: String(daprHttpPort), PORT: String(port), HOST: "127.0.0.1" },
    output: (line) => options.log(name, line),
    ready: answers(port, "/readyz"),
  });
  // Exit code 0 is a drain after a signal (a terminal's Ctrl-C reaches the whole group).
  // A crash is not restarted: say so loudly instead of leaving a silent gap.
  void app.exited.then((exit) => {
    if (!exit.stopped && exit.code !== 0) options.log(name, `✖ ${app.exitReason()}`);
    if (!exit.stopped) options.onCrash?.(name, exit);
  });

  let sidecar: RunningDaprd | undefined;
  const startSidecar = async () => {
    if (sidecar) throw new Error(`the sidecar of ${name} is already running`);
    sidecar = await startDaprd({
      appId: definition.appId,
      appPort: port,
      httpPort: daprHttpPort,
      grpcPort: daprGrpcPort,
      resourcesPath: options.resourcesPath,
      env: { ...options.sidecarEnv, ...tokens },
      logLevel: options.daprLogLevel,
      log: (line) => options.log(`${name}.dapr`, line),
    });
    void sidecar.exited.then((exit) => !exit.stopped && options.onCrash?.(`${name}.dapr`, exit));
  };
  const stopSidecar = async () => {
    const running = sidecar;
    sidecar = undefined;
    await running?.stop();
  };
  const killSidecar = async () => {
    const running = sidecar;
    sidecar = undefined;
    await running?.kill();
  };

  try {
    await startSidecar();
  } catch (error) {
    await app.stop();
    throw error;
  }
  return {
    appId: definition.appId,
    name,
    port,
    daprHttpPort,
    daprApiToken: tokens.DAPR_API_TOKEN,
    appApiToken: tokens.APP_API_TOKEN,
    startSidecar,
    stopSidecar,
    killSidecar,
    signalApp: (signal) => app.signal(signal),
    // The sidecar first: it stops delivering before the app stops answering.
    async stop() {
      await stopSidecar();
      await app.stop();
    },
  };
}
