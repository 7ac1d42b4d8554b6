/**
 * Events outlive a database outage: Dapr's retries of a delivery to the app (the
 * Resiliency's pubsub inbound retry) are what hold an event while the database is
 * down (the app health check only watches the process: runtime/lifecycle.ts). An
 * event whose retries ran out during the outage would land on the dead-letter topic.
 */
import { PUBSUB_NAME } from "../runtime/dapr-client.js";
import { describe, type Manifest, ofKind } from "./manifest.js";

/** The database outage events must ride out: fault scenario 5's, plus a margin for the first attempt after it. */
const OUTAGE_MS = 60_000;
const REQUIRED_MS = OUTAGE_MS + 10_000;

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
    `${describe(resiliency)}: the ${PUBSUB_NAME} inbound retry can give up after ${(span / 1000).toFixed(1)} s, within a ${OUTAGE_MS / 1000} s database outage (${REQUIRED_MS / 1000} s needed): events in flight would be dead-lettered`,
  ];
}

export function deliveryViolations(manifests: readonly Manifest[]): string[] {
  return ofKind<{ spec?: ResiliencySpec }>(manifests, "Resiliency").flatMap(resiliencyViolations);
}
