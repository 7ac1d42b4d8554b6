/**
 * Every function as its own supervised Node process on its bundle (the same
 * bundles the images run), with its own port and Dapr tokens: started together,
 * waited for on `/readyz`, restarted one by one by `npm run dev`.
 */
import { setTimeout as sleep } from "node:timers/promises";
import type { Logger } from "pino";
import type { SidecarApp } from "./dapr-stand-in/sidecar.js";
import { supervise } from "./supervisor.js";

const READY_TIMEOUT_MS = 60_000;

export interface FunctionProcessesOptions {
  apps: readonly Required<SidecarApp>[];
  /** Bundle path by app id. */
  bundles: ReadonlyMap<string, string>;
  /** The environment every function gets; PORT, HOST and its own tokens are added. */
  env: Record<string, string | undefined>;
  onLine(source: string, line: string): void;
  log: Logger;
  /** Aborted when the whole stack is stopping. */
  shutdown: AbortSignal;
}

export interface FunctionProcesses {
  /** Resolves once every function answers `/readyz`, rejects after READY_TIMEOUT_MS. */
  ready(signal?: AbortSignal): Promise<void>;
  /** Restarts these functions (a graceful stop each) and resolves once they are ready again. */
  restart(appIds: readonly string[]): Promise<void>;
  pids(): Map<string, number | undefined>;
  stop(): Promise<void>;
}

/** The environment a function process gets: ours, with `vars` on top. */
function withEnv(env: Record<string, string | undefined>, vars: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries({ ...env, ...vars }).filter((entry): entry is [string, string] => entry[1] !== undefined));
}

async function waitUntilReady(appId: string, port: number, deadline: number, signal: AbortSignal | undefined): Promise<void> {
  while (Date.now() < deadline) {
    signal?.throwIfAborted();
    const ok = await fetch(`http://127.0.0.1:${port}/readyz`, { signal: AbortSignal.timeout(1_000) }).then(
      async (response) => (await response.body?.cancel(), response.ok),
      () => false,
    );
    if (ok) return;
    await sleep(100, undefined, { signal });
  }
  throw new Error(`${appId} did not become ready within ${READY_TIMEOUT_MS / 1000} s; see its log above.`);
}

export function startFunctionProcesses({ apps, bundles, env, onLine, log, shutdown }: FunctionProcessesOptions): FunctionProcesses {
  const children = new Map(
    apps.map((app) => [
      app.appId,
      supervise({
        name: app.appId,
        command: process.execPath,
        args: ["--enable-source-maps", bundles.get(app.appId)!],
        env: withEnv(env, { PORT: String(app.port), HOST: "127.0.0.1", APP_API_TOKEN: app.appApiToken, DAPR_API_TOKEN: app.daprApiToken }),
        onLine,
        log,
        shutdown,
      }),
    ]),
  );
  return {
    async ready(signal) {
      const deadline = Date.now() + READY_TIMEOUT_MS;
      await Promise.all(apps.map((app) => waitUntilReady(app.appId, app.port, deadline, signal)));
    },
    async restart(appIds) {
      await Promise.all(
        apps
          .filter((app) => appIds.includes(app.appId))
          .map(async (app) => {
            await children.get(app.appId)!.restart();
            await waitUntilReady(app.appId, app.port, Date.now() + READY_TIMEOUT_MS, shutdown);
          }),
      );
    },
    pids: () => new Map([...children].map(([appId, child]) => [appId, child.pid()])),
    async stop() {
      await Promise.all([...children.values()].map((child) => child.stop()));
    },
  };
}
