/**
 * Events outlive a database outage: Dapr's retries of a delivery to the app
 * (the Resiliency's pubsub inbound retry) must still be going when the app
 * health check (runtime/lifecycle.ts) has called the app unhealthy and daprd has
 * stopped deliveries. An event whose retries ran out first would land on the
 * dead-letter topic instead of waiting in Kafka.
 */
import { PUBSUB_NAME } from "../runtime/dapr-client.js";
import { APP_HEALTH_CHECK } from "../runtime/lifecycle.js";
import { describe, type Manifest, ofKind } from "./manifest.js";

/** The longest the check takes to notice: `threshold` failed probes an interval apart, the last one timing out. */
const DETECTION_MS = APP_HEALTH_CHECK.threshold * APP_HEALTH_CHECK.probeIntervalSeconds * 1000 + APP_HEALTH_CHECK.probeTimeoutMs;
/** Plus one probe interval: probes run late on a busy node. */
const REQUIRED_MS = DETECTION_MS + APP_HEALTH_CHECK.probeIntervalSeconds * 1000;

interface RetryPolicy {
  policy?: string;
  duration?: string;
  maxInterval?: string;
  maxRetries?: number;
}

interface ResiliencySpec {
  policies?: { retries?: Record<string, RetryPolicy> };
  targets?: { components?: Record<string, { inbound?: { retry?: string } }> };
}

const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000 };

function durationMs(text: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m)$/.exec(text);
  if (!match) throw new Error(`duration ${text}: expected a number of ms, s or m`);
  return Number(match[1]) * UNIT_MS[match[2]!]!;
}

/**
 * The earliest all retries can be over (waits only; attempts take time too).
 * Dapr's defaults: constant 5 s; exponential from 500 ms ×1.5 up to maxInterval
 * (60 s), each wait randomised ±50 %, so at least half of it.
 */
function shortestRetrySpanMs({ policy = "constant", duration = "5s", maxInterval = "60s", maxRetries = -1 }: RetryPolicy): number {
  if (maxRetries < 0) return Infinity;
  if (policy === "constant") return maxRetries * durationMs(duration);
  let span = 0;
  for (let retry = 0, interval = 500; retry < maxRetries; retry++, interval = Math.min(interval * 1.5, durationMs(maxInterval))) span += interval / 2;
  return span;
}

function resiliencyViolations(resiliency: Manifest & { spec?: ResiliencySpec }): string[] {
  const name = resiliency.spec?.targets?.components?.[PUBSUB_NAME]?.inbound?.retry;
  const retry = name === undefined ? undefined : resiliency.spec?.policies?.retries?.[name];
  // Without a policy of its own, Dapr retries deliveries forever (constant 5 s): nothing is dead-lettered early.
  const span = retry ? shortestRetrySpanMs(retry) : Infinity;
  if (span >= REQUIRED_MS) return [];
  return [
    `${describe(resiliency)}: the ${PUBSUB_NAME} inbound retry can give up after ${(span / 1000).toFixed(1)} s, before the app health check has surely noticed an outage (${DETECTION_MS / 1000} s + one probe, ${REQUIRED_MS / 1000} s): events in flight would be dead-lettered`,
  ];
}

export function deliveryViolations(manifests: readonly Manifest[]): string[] {
  return ofKind<{ spec?: ResiliencySpec }>(manifests, "Resiliency").flatMap(resiliencyViolations);
}
