// Runs a real daprd sidecar in standalone mode, bound to 127.0.0.1 only, with
// no placement/scheduler (taskfn uses no actors, workflows or jobs).
import { APP_HEALTH_CHECK, DAPR_GRACEFUL_SHUTDOWN_SECONDS } from "../runtime/lifecycle.js";
import { freePort } from "./net.js";
import { answers, launch, type Exit } from "./process.js";
import { provisionedDaprd } from "./provisioned.js";

export interface StartDaprdOptions {
  appId: string;
  appPort: number;
  httpPort: number;
  grpcPort: number;
  /** Folder(s) of component/subscription/resiliency YAML (repeated --resources-path). */
  resourcesPath: string | string[];
  /** A Configuration YAML (--config). */
  configPath?: string;
  /** Extra environment for daprd (e.g. values for a secretstores.local.env store). */
  env?: Record<string, string>;
  log?: (line: string) => void;
  /** Wait for GET /v1.0/healthz to answer 204 (default true). */
  waitForReady?: boolean;
  /** daprd's --log-level (default 'info'). */
  logLevel?: string;
  /** Extra daprd flags, e.g. ['--app-max-concurrency', '1']. */
  extraArgs?: string[];
}

export interface RunningDaprd {
  httpPort: number;
  grpcPort: number;
  /** Resolves when daprd exits; `stopped` says whether stop() or kill() asked for it. */
  exited: Promise<Exit>;
  stop(): Promise<void>;
  /** SIGKILL, as a crashing node or an OOM kill would: no drain. Resolves once it has exited. */
  kill(): Promise<void>;
}

const READY_TIMEOUT_MS = 60_000;
// daprd lets in-flight work finish for up to --dapr-graceful-shutdown-seconds on SIGTERM.
const STOP_GRACE_MS = (DAPR_GRACEFUL_SHUTDOWN_SECONDS + 5) * 1000;

export async function startDaprd(opts: StartDaprdOptions): Promise<RunningDaprd> {
  const bin = provisionedDaprd();
  const internalGrpcPort = await freePort();
  const resources = Array.isArray(opts.resourcesPath) ? opts.resourcesPath : [opts.resourcesPath];
  const args = [
    "--mode",
    "standalone",
    "--app-id",
    opts.appId,
    "--app-port",
    String(opts.appPort),
    "--app-protocol",
    "http",
    "--app-channel-address",
    "127.0.0.1",
    "--dapr-http-port",
    String(opts.httpPort),
    "--dapr-grpc-port",
    String(opts.grpcPort),
    "--dapr-listen-addresses",
    "127.0.0.1",
    // Sidecar-to-sidecar port: must be unique per daprd, or parallel sidecars clash.
    "--dapr-internal-grpc-port",
    String(internalGrpcPort),
    "--dapr-internal-grpc-listen-address",
    "127.0.0.1",
    // Metrics would default to 0.0.0.0:9090 for every sidecar; not needed in tests.
    "--enable-metrics=false",
    "--dapr-graceful-shutdown-seconds",
    String(DAPR_GRACEFUL_SHUTDOWN_SECONDS),
    // Deliveries and cron ticks pause while the app is not ready (its database is down).
    "--enable-app-health-check",
    "--app-health-check-path",
    APP_HEALTH_CHECK.path,
    "--app-health-probe-interval",
    String(APP_HEALTH_CHECK.probeIntervalSeconds),
    "--app-health-probe-timeout",
    String(APP_HEALTH_CHECK.probeTimeoutMs),
    "--app-health-threshold",
    String(APP_HEALTH_CHECK.threshold),
    "--log-level",
    opts.logLevel ?? "info",
    ...resources.flatMap((p) => ["--resources-path", p]),
    ...(opts.configPath ? ["--config", opts.configPath] : []),
    ...(opts.extraArgs ?? []),
  ];
  // Without a non-loopback interface daprd cannot guess its host IP and exits.
  const env = { ...process.env, DAPR_HOST_IP: "127.0.0.1", ...opts.env };
  const daprd = await launch({
    name: `daprd (${opts.appId})`,
    command: bin,
    args,
    env,
    output: opts.log ?? (() => {}),
    // /v1.0/healthz turns 204 once components are initialised and the app
    // channel is up (subscriptions fetched); /v1.0/healthz/outbound only
    // means components are ready, which is too early to rely on delivery.
    ready: (opts.waitForReady ?? true) ? answers(opts.httpPort, "/v1.0/healthz", (status) => status === 204) : undefined,
    readyTimeoutMs: READY_TIMEOUT_MS,
    readyIntervalMs: 250,
    graceMs: STOP_GRACE_MS,
  });
  return { httpPort: opts.httpPort, grpcPort: opts.grpcPort, exited: daprd.exited, stop: daprd.stop, kill: async () => void (await daprd.signal("SIGKILL")) };
}
