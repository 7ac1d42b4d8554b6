/**
 * Dapr's app health checks (daprd --enable-app-health-check), as the stand-in
 * plays them: every app's readiness path is probed on an interval; after
 * `threshold` failures in a row the app is unhealthy, and daprd then stops
 * delivering its events and ticking its input bindings until a probe succeeds
 * again. Events wait meanwhile instead of using up their retries. The settings
 * are the ones real daprd gets (runtime/lifecycle.ts).
 */
import { setTimeout as sleep } from "node:timers/promises";
import type { Logger } from "pino";
import { APP_HEALTH_CHECK } from "../../runtime/lifecycle.js";
import { callApp, type SidecarApp } from "./app-channel.js";

export interface AppHealth {
  isHealthy(appId: string): boolean;
  /** Resolves at once while the app is healthy, else when it is healthy again (or the stand-in stops). */
  whenHealthy(appId: string): Promise<void>;
}

export interface AppHealthOptions {
  log: Logger;
  signal: AbortSignal;
  /** Tests probe faster than daprd's interval. */
  probeIntervalMs?: number;
}

async function probe(app: SidecarApp): Promise<boolean> {
  try {
    const response = await callApp(app, { method: "GET", path: APP_HEALTH_CHECK.path, timeoutMs: APP_HEALTH_CHECK.probeTimeoutMs });
    await response.body?.cancel();
    return response.ok;
  } catch {
    return false;
  }
}

export function watchAppHealth(
  apps: readonly SidecarApp[],
  { log, signal, probeIntervalMs = APP_HEALTH_CHECK.probeIntervalSeconds * 1000 }: AppHealthOptions,
): AppHealth {
  const state = new Map(apps.map((app) => [app.appId, { healthy: true, failures: 0, recovered: Promise.resolve(), markRecovered: () => {} }]));

  const watch = async (app: SidecarApp) => {
    const entry = state.get(app.appId)!;
    while (!signal.aborted) {
      if (await probe(app)) {
        entry.failures = 0;
        if (!entry.healthy) log.info({ app: app.appId }, "app healthy again; resuming deliveries and input bindings");
        entry.healthy = true;
        entry.markRecovered();
      } else if (++entry.failures >= APP_HEALTH_CHECK.threshold && entry.healthy) {
        log.warn({ app: app.appId }, `app unhealthy (${APP_HEALTH_CHECK.path} failed ${entry.failures} times); pausing deliveries and input bindings`);
        entry.healthy = false;
        entry.recovered = new Promise((resolve) => (entry.markRecovered = resolve));
      }
      await sleep(probeIntervalMs, undefined, { signal }).catch(() => undefined);
    }
    entry.markRecovered();
  };
  for (const app of apps) void watch(app);

  return {
    isHealthy: (appId) => state.get(appId)?.healthy ?? true,
    whenHealthy: (appId) => state.get(appId)?.recovered ?? Promise.resolve(),
  };
}
