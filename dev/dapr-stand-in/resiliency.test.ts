import { describe, expect, it } from "vitest";
import { DAPR_DIR } from "../../toolkit/paths.js";
import { readResources } from "./resources.js";
import { parseResiliency, retryDelays, withRetries, type RetryPolicy } from "./resiliency.js";
import { resiliencyFromYaml } from "./test-support.js";

const exponential: RetryPolicy = {
  policy: "exponential",
  durationMs: 5_000,
  initialIntervalMs: 500,
  multiplier: 1.5,
  randomizationFactor: 0.5,
  maxIntervalMs: 60_000,
  maxRetries: 5,
};
const midpoint = () => 0.5;

describe("the Resiliency file in dapr/", async () => {
  const resiliency = parseResiliency((await readResources([DAPR_DIR])).filter((d) => d.kind === "Resiliency"));

  it("retries deliveries to subscribers a second apart, bounded, with a per-attempt timeout", () => {
    const inbound = resiliency.component("pubsub", "inbound");
    expect(inbound.retry).toMatchObject({ policy: "constant", durationMs: 1_000, maxRetries: 21 });
    expect(inbound.timeoutMs).toBe(5_000);
    expect(inbound.circuitBreaker).toBeUndefined();
  });

  it("dead-letters a failing event after 21 s of retries, and within about two minutes even when every attempt hangs to its timeout", () => {
    const { retry, timeoutMs } = resiliency.component("pubsub", "inbound");
    const waits = [...retryDelays(retry!)].reduce((a, b) => a + b, 0);
    expect(waits).toBe(21_000);
    const attempts = retry!.maxRetries + 1;
    expect(waits + attempts * timeoutMs!).toBeLessThan(135_000);
  });

  it("retries publishing a little and breaks the circuit to a dead broker", () => {
    expect(resiliency.component("pubsub", "outbound")).toMatchObject({ retry: { maxRetries: 3 }, timeoutMs: 5_000, circuitBreaker: "broker" });
  });

  it("retries cron ticks a little, and never retries the webhook on its own", () => {
    expect(resiliency.component("outbox-cron", "inbound").retry).toMatchObject({ policy: "constant", durationMs: 2_000, maxRetries: 2 });
    expect(resiliency.component("reminder-cron", "inbound").retry).toMatchObject({ policy: "constant", durationMs: 2_000, maxRetries: 2 });
    expect(resiliency.component("reminder-webhook", "outbound")).toEqual({ timeoutMs: 3_000 });
  });

  it("has no policy for targets it does not name", () => {
    expect(resiliency.component("nothing", "inbound")).toEqual({});
  });
});

describe("retryDelays", () => {
  it("grows ×1.5 from 500 ms like cenkalti/backoff (jitter at its midpoint)", () => {
    expect([...retryDelays(exponential, midpoint)]).toEqual([500, 750, 1125, 1687.5, 2531.25]);
  });

  it("caps the interval at maxInterval", () => {
    expect([...retryDelays({ ...exponential, maxIntervalMs: 1_000 }, midpoint)]).toEqual([500, 750, 1000, 1000, 1000]);
  });

  it("jitters within ±randomizationFactor", () => {
    expect([...retryDelays(exponential, () => 0)][0]).toBe(250);
    expect([...retryDelays(exponential, () => 1)][0]).toBe(750);
  });

  it("waits the same duration each time for a constant policy", () => {
    expect([...retryDelays({ ...exponential, policy: "constant", durationMs: 2_000, maxRetries: 3 })]).toEqual([2000, 2000, 2000]);
  });

  it("retries forever when maxRetries is -1", () => {
    const delays = retryDelays({ ...exponential, maxRetries: -1 });
    for (let i = 0; i < 100; i++) expect(delays.next().done).toBe(false);
  });
});

describe("parseResiliency", () => {
  it("applies Dapr's defaults and reads Go durations", () => {
    const resiliency = resiliencyFromYaml(`
spec:
  policies:
    timeouts: { t: 1m30s }
    retries: { r: { policy: exponential, maxInterval: 1.5s } }
  targets:
    components: { pubsub: { inbound: { timeout: t, retry: r } } }
`);
    expect(resiliency.component("pubsub", "inbound")).toEqual({ timeoutMs: 90_000, retry: { ...exponential, maxIntervalMs: 1_500, maxRetries: -1 } });
  });

  it("refuses a target naming a policy that does not exist", () => {
    expect(() => resiliencyFromYaml(`spec: { policies: {}, targets: { components: { pubsub: { inbound: { retry: missing } } } } }`)).toThrow(
      /no retry policy named missing/,
    );
  });

  it("refuses retry fields the stand-in would not apply", () => {
    expect(() => resiliencyFromYaml(`spec: { policies: { retries: { r: { policy: constant, matching: { httpStatusCodes: "500" } } } }, targets: {} }`)).toThrow(
      /matching/,
    );
  });
});

describe("withRetries", () => {
  const quick: RetryPolicy = { ...exponential, policy: "constant", durationMs: 1, maxRetries: 2 };

  it("runs again after a failure until it succeeds", async () => {
    let calls = 0;
    const result = await withRetries(quick, async () => {
      if (++calls < 3) throw new Error("not yet");
      return "done";
    });
    expect({ result, calls }).toEqual({ result: "done", calls: 3 });
  });

  it("gives up with the last error once the retries are used up", async () => {
    let calls = 0;
    await expect(withRetries(quick, async () => Promise.reject(new Error(`failure ${++calls}`)))).rejects.toThrow("failure 3");
  });

  it("tries once without a policy", async () => {
    let calls = 0;
    await expect(withRetries(undefined, async () => Promise.reject(new Error(`failure ${++calls}`)))).rejects.toThrow("failure 1");
  });
});
