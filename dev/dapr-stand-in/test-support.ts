/**
 * For the stand-in's tests: small real HTTP apps on loopback ports, and
 * resiliency policies written as YAML like the real file, but fast.
 */
import { pino } from "pino";
import { parse } from "yaml";
import { parseResiliency, type Resiliency } from "./resiliency.js";

export const silentLog = pino({ level: "silent" });

/** A Resiliency resource from YAML, as if read from a file. */
export function resiliencyFromYaml(yaml: string): Resiliency {
  return parseResiliency([{ kind: "Resiliency", body: parse(yaml) as Record<string, unknown>, file: "test.yaml" }]);
}

/** `pubsub` inbound: `retries` quick constant retries, 2 s per attempt. */
export function fastResiliency(retries: number, duration = "20ms"): Resiliency {
  return resiliencyFromYaml(`
spec:
  policies:
    timeouts: { attempt: 2s }
    retries: { quick: { policy: constant, duration: ${duration}, maxRetries: ${retries} } }
  targets:
    components:
      pubsub: { inbound: { timeout: attempt, retry: quick }, outbound: { retry: quick } }
      tick-cron: { inbound: { retry: quick } }
      webhook: { outbound: { timeout: attempt } }
`);
}

/** Polls until `check` holds (bounded), for effects that happen asynchronously. */
export async function eventually(check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
