/**
 * The local Dapr stand-in: one server (inside the `npm start` process) playing
 * the sidecar of every function, speaking the real Dapr HTTP API on both sides
 * so the functions cannot tell it from daprd. A development convenience only,
 * never a production path: events live in memory and are gone when it stops.
 * Production, the e2e suite and Kubernetes run real daprd with Kafka, from the
 * very same resource files in dapr/.
 *
 * It reads those files like `daprd --resources-path`: pubsub.* components
 * become one in-memory broker, bindings.cron ticks apps, bindings.http is an
 * output binding; other component types are ignored with a log line. The
 * Resiliency file gives the retries and timeouts (circuit breakers are not
 * emulated). At start it asks every app for `GET /dapr/subscribe`.
 */
import { setMaxListeners } from "node:events";
import { setTimeout as sleep } from "node:timers/promises";
import { pino, type Logger } from "pino";
import { listen } from "../../toolkit/listen.js";
import { AppUnreachableError, type SidecarApp } from "./app-channel.js";
import { watchAppHealth } from "./app-health.js";
import { createBroker, type Broker } from "./broker.js";
import { parseComponent, type Component } from "./components.js";
import { startCronBindings } from "./cron.js";
import { deliverEvent } from "./delivery.js";
import { readResources } from "./resources.js";
import { parseResiliency, type Resiliency } from "./resiliency.js";
import { createSidecarApp } from "./server.js";
import { fetchSubscriptions } from "./subscriptions.js";

export type { SidecarApp } from "./app-channel.js";

export interface SidecarOptions {
  apps: readonly SidecarApp[];
  /** Folders of Dapr resource files, as daprd's --resources-path. */
  resourcesPaths: readonly string[];
  /** Default 3500 (Dapr's); 0 picks a free port. */
  port?: number;
  /** Resolves envRef in component metadata. Default: process.env. */
  env?: Record<string, string | undefined>;
  /** Replaces the Resiliency files, e.g. fast retries in tests. */
  resiliency?: Resiliency;
  log?: Logger;
  /** Tests probe app health faster than daprd's interval. */
  appHealthProbeIntervalMs?: number;
}

export interface RunningSidecar {
  port: number;
  /** Settles once every app's subscriptions are known (or SUBSCRIBE_TIMEOUT_MS passed). */
  subscribed: Promise<void>;
  stop(): Promise<void>;
}

/** How often to knock again on an app that is not listening (its events wait for it). */
const APP_DOWN_RETRY_MS = 500;
/** After this long without an app's subscriptions, publishing stops waiting for them (they are still fetched). */
const SUBSCRIBE_TIMEOUT_MS = 30_000;

const EMULATED = (type: string) => type.startsWith("pubsub.") || type === "bindings.cron" || type === "bindings.http";

async function loadComponents(options: SidecarOptions, log: Logger): Promise<{ components: Component[]; resiliency: Resiliency }> {
  const documents = await readResources(options.resourcesPaths);
  for (const doc of documents.filter((d) => d.kind !== "Component" && d.kind !== "Resiliency")) {
    log.info(`${doc.kind} in ${doc.file} is not emulated by the stand-in; ignored`);
  }
  const components: Component[] = [];
  for (const doc of documents.filter((d) => d.kind === "Component")) {
    const component = parseComponent(doc, options.env ?? process.env);
    if (EMULATED(component.type)) components.push(component);
    else log.info(`component ${component.name} (${component.type}) is not emulated by the stand-in; ignored`);
  }
  const resiliency = options.resiliency ?? parseResiliency(documents.filter((d) => d.kind === "Resiliency"));
  for (const { name } of components) {
    for (const direction of ["inbound", "outbound"] as const) {
      const breaker = resiliency.component(name, direction).circuitBreaker;
      if (breaker) log.debug(`circuit breaker ${breaker} on ${name} ${direction} is not emulated by the stand-in`);
    }
  }
  return { components, resiliency };
}

export async function startSidecar(options: SidecarOptions): Promise<RunningSidecar> {
  const log = options.log ?? pino({ base: { fn: "dapr" } });
  const { components, resiliency } = await loadComponents(options, log);
  const stopping = new AbortController();
  const { signal } = stopping;
  // Every waiting delivery, discovery and retry listens to this one signal.
  setMaxListeners(0, signal);
  const appsById = new Map(options.apps.map((app) => [app.appId, app]));
  const health = watchAppHealth(options.apps, { log, signal, probeIntervalMs: options.appHealthProbeIntervalMs });

  const broker: Broker = createBroker({
    log,
    deliver: (subscription, message) =>
      deliverEvent(subscription, message, {
        app: appsById.get(subscription.appId)!,
        policy: resiliency.component(subscription.pubsubname, "inbound"),
        publish: (deadLetter) => broker.publish(deadLetter),
        log,
        appDownRetryMs: APP_DOWN_RETRY_MS,
        appHealthy: () => health.whenHealthy(subscription.appId),
        signal,
      }),
  });

  // Like daprd at start: ask the app for its subscriptions, waiting for it to listen first.
  const discover = async (app: SidecarApp) => {
    while (!signal.aborted) {
      try {
        const subscriptions = await fetchSubscriptions(app);
        broker.addSubscriptions(subscriptions);
        if (subscriptions.length > 0) log.debug({ app: app.appId, topics: subscriptions.map((s) => s.topic) }, "subscribed");
        return;
      } catch (error) {
        if (!(error instanceof AppUnreachableError)) return log.error({ err: error, app: app.appId }, "could not read the app's subscriptions");
        await sleep(100, undefined, { signal }).catch(() => undefined);
      }
    }
  };
  let allSubscribed = false;
  const discoveries = Promise.all(options.apps.map(discover)).then(() => {
    allSubscribed = true;
  });
  const subscribed = Promise.race([
    discoveries,
    sleep(SUBSCRIBE_TIMEOUT_MS, undefined, { signal, ref: false }).then(
      () => {
        if (!allSubscribed)
          log.error(`some apps did not answer GET /dapr/subscribe within ${SUBSCRIBE_TIMEOUT_MS} ms; their events may be missed until they do`);
      },
      () => undefined,
    ),
  ]);

  const server = await listen(createSidecarApp({ apps: options.apps, components, broker, resiliency, subscribed, log }), options.port ?? 3500);
  const cron = startCronBindings({ components, apps: options.apps, resiliency, log, signal, isAppHealthy: health.isHealthy });

  return {
    port: server.port,
    subscribed,
    async stop() {
      stopping.abort();
      cron.stop();
      const undelivered = broker.pending();
      if (undelivered > 0) log.warn(`stopping with ${undelivered} events undelivered (the stand-in keeps events in memory only)`);
      await server.close();
    },
  };
}
