/**
 * `bindings.cron` input bindings: on each tick, POST `/<binding>` to every app
 * in the component's scopes. As daprd does, a component without an explicit
 * `direction: input` first asks the app `OPTIONS /<binding>` and skips it
 * unless it answers 2xx or 405 (with the direction set, daprd does not ask);
 * a tick answered with anything but 200 is retried per the binding's inbound policy.
 *
 * Schedules: `@every <Go duration>`, or cron with optional seconds and the
 * `@hourly`-style descriptors (croner), as Dapr's robfig/cron parser accepts.
 */
import { Cron } from "croner";
import type { Logger } from "pino";
import { AppUnreachableError, callApp, type SidecarApp } from "./app-channel.js";
import { isInScope, type Component } from "./components.js";
import { parseGoDuration } from "./duration.js";
import { withRetries, type Resiliency } from "./resiliency.js";

export interface CronOptions {
  components: readonly Component[];
  apps: readonly SidecarApp[];
  resiliency: Resiliency;
  log: Logger;
  signal: AbortSignal;
  /** Ticks are skipped while the app fails its health check, as daprd stops input bindings then. */
  isAppHealthy(appId: string): boolean;
}

export interface CronScheduler {
  stop(): void;
}

/** Starts calling `tick` on the schedule; returns what stops it. */
function schedule(component: Component, tick: () => void): () => void {
  const expression = (component.metadata.schedule ?? "").trim();
  try {
    const every = /^@every\s+(\S+)$/.exec(expression);
    if (every) {
      const timer = setInterval(tick, parseGoDuration(every[1]!));
      return () => clearInterval(timer);
    }
    const job = new Cron(expression, tick);
    return () => job.stop();
  } catch (error) {
    throw new Error(`component ${component.name}: invalid schedule "${expression}": ${(error as Error).message}`, { cause: error });
  }
}

function isExplicitInput(component: Component): boolean {
  return Object.entries(component.metadata).some(([key, value]) => key.toLowerCase() === "direction" && value.split(",").some((d) => d.trim() === "input"));
}

class TickFailed extends Error {
  override readonly name = "TickFailed";
}

/** Whether the app takes this binding; undefined when it could not say (not listening yet): ask again next tick. */
async function probe(app: SidecarApp, path: string): Promise<boolean | undefined> {
  try {
    const response = await callApp(app, { method: "OPTIONS", path, timeoutMs: 5_000 });
    await response.body?.cancel();
    return response.ok || response.status === 405;
  } catch {
    return undefined;
  }
}

function bindingTicker(component: Component, app: SidecarApp, { resiliency, log, signal, isAppHealthy }: CronOptions): () => Promise<void> {
  const path = `/${component.name}`;
  const policy = resiliency.component(component.name, "inbound");
  const tickLog = log.child({ binding: component.name, app: app.appId });
  // One probe per app, shared by ticks that overlap it.
  let accepts: Promise<boolean | undefined> | undefined = isExplicitInput(component) ? Promise.resolve(true) : undefined;

  const post = async () => {
    const response = await callApp(app, { method: "POST", path, headers: { "content-type": "application/json" }, timeoutMs: policy.timeoutMs });
    const body = await response.text();
    if (response.status !== 200) throw new TickFailed(`${app.appId} answered ${response.status} ${body.slice(0, 200)}`);
  };

  return async () => {
    if (!isAppHealthy(app.appId)) return;
    try {
      accepts ??= probe(app, path).then((answer) => {
        if (answer === undefined) accepts = undefined;
        return answer;
      });
      if (!(await accepts)) return;
      await withRetries(policy.retry, post, { signal, onRetry: (error, ms) => tickLog.warn(`${error.message}; retrying in ${Math.round(ms)} ms`) });
    } catch (error) {
      // Like a cron binding in a stopped sidecar: a tick the app is not up for is simply missed.
      if (error instanceof AppUnreachableError || signal.aborted) return;
      tickLog.error({ err: error }, "cron tick failed");
    }
  };
}

export function startCronBindings(options: CronOptions): CronScheduler {
  const stops = options.components
    .filter((component) => component.type === "bindings.cron")
    .map((component) => {
      const tickers = options.apps.filter((app) => isInScope(component, app.appId)).map((app) => bindingTicker(component, app, options));
      return schedule(component, () => tickers.forEach((tick) => void tick()));
    });
  return { stop: () => stops.forEach((stop) => stop()) };
}
