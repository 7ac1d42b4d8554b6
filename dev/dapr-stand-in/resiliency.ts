/**
 * Dapr `Resiliency` resources: the retry and timeout policies of component
 * targets, with Dapr's back-off arithmetic (dapr/kit retry on top of
 * cenkalti/backoff), so the stand-in retries exactly as often and as late as daprd.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { z } from "zod";
import { parseGoDuration } from "./duration.js";
import type { ResourceDocument } from "./resources.js";

export interface RetryPolicy {
  policy: "constant" | "exponential";
  /** Wait between attempts of a constant policy. */
  durationMs: number;
  /** Exponential: first wait, growth and jitter (fixed in Dapr: 500 ms, ×1.5, ±50 %). */
  initialIntervalMs: number;
  multiplier: number;
  randomizationFactor: number;
  maxIntervalMs: number;
  /** Retries after the first attempt; -1 retries forever. */
  maxRetries: number;
}

export interface TargetPolicy {
  retry?: RetryPolicy;
  timeoutMs?: number;
  /** Name of the circuit breaker policy; the stand-in does not emulate breakers. */
  circuitBreaker?: string;
}

export type Direction = "inbound" | "outbound";

export interface Resiliency {
  /** `targets.components.<name>.<direction>`; `{}` when the file sets none. */
  component(name: string, direction: Direction): TargetPolicy;
}

const DAPR_RETRY_DEFAULTS: RetryPolicy = {
  policy: "constant",
  durationMs: 5_000,
  initialIntervalMs: 500,
  multiplier: 1.5,
  randomizationFactor: 0.5,
  maxIntervalMs: 60_000,
  maxRetries: -1,
};

const Duration = z.string().transform((text, ctx) => {
  try {
    return parseGoDuration(text);
  } catch (error) {
    ctx.addIssue({ code: "custom", message: (error as Error).message });
    return z.NEVER;
  }
});

const TargetRef = z.object({ timeout: z.string().optional(), retry: z.string().optional(), circuitBreaker: z.string().optional() });

const ResiliencyResource = z.object({
  spec: z.object({
    policies: z.object({
      timeouts: z.record(z.string(), Duration).default({}),
      retries: z
        .record(
          z.string(),
          // Strict: a field the stand-in does not apply (e.g. `matching`) fails loudly instead of being ignored.
          z.strictObject({
            policy: z.enum(["constant", "exponential"]).default("constant"),
            duration: Duration.optional(),
            maxInterval: Duration.optional(),
            maxRetries: z.number().int().min(-1).optional(),
          }),
        )
        .default({}),
      circuitBreakers: z.record(z.string(), z.unknown()).default({}),
    }),
    targets: z.object({
      components: z.record(z.string(), z.object({ inbound: TargetRef.optional(), outbound: TargetRef.optional() })).default({}),
    }),
  }),
});

type ResiliencySpec = z.output<typeof ResiliencyResource>["spec"];

function resolveTarget(spec: ResiliencySpec, ref: z.output<typeof TargetRef>, where: string): TargetPolicy {
  const target: TargetPolicy = {};
  if (ref.timeout !== undefined) {
    target.timeoutMs = spec.policies.timeouts[ref.timeout];
    if (target.timeoutMs === undefined) throw new Error(`${where}: no timeout policy named ${ref.timeout}`);
  }
  if (ref.retry !== undefined) {
    const retry = spec.policies.retries[ref.retry];
    if (!retry) throw new Error(`${where}: no retry policy named ${ref.retry}`);
    target.retry = {
      ...DAPR_RETRY_DEFAULTS,
      policy: retry.policy,
      durationMs: retry.duration ?? DAPR_RETRY_DEFAULTS.durationMs,
      maxIntervalMs: retry.maxInterval ?? DAPR_RETRY_DEFAULTS.maxIntervalMs,
      maxRetries: retry.maxRetries ?? DAPR_RETRY_DEFAULTS.maxRetries,
    };
  }
  if (ref.circuitBreaker !== undefined) {
    if (!(ref.circuitBreaker in spec.policies.circuitBreakers)) throw new Error(`${where}: no circuit breaker named ${ref.circuitBreaker}`);
    target.circuitBreaker = ref.circuitBreaker;
  }
  return target;
}

/** Every Resiliency document found, merged (the stand-in serves all apps, so `scopes` are not applied). */
export function parseResiliency(docs: readonly ResourceDocument[]): Resiliency {
  const targets = new Map<string, TargetPolicy>();
  for (const doc of docs) {
    const parsed = ResiliencyResource.safeParse(doc.body);
    if (!parsed.success)
      throw new Error(`${doc.file}: not a Dapr Resiliency: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
    const { spec } = parsed.data;
    for (const [name, directions] of Object.entries(spec.targets.components)) {
      for (const direction of ["inbound", "outbound"] as const) {
        const ref = directions[direction];
        if (ref) targets.set(`${name}/${direction}`, resolveTarget(spec, ref, `${doc.file}: targets.components.${name}.${direction}`));
      }
    }
  }
  return { component: (name, direction) => targets.get(`${name}/${direction}`) ?? {} };
}

/**
 * The waits before each retry, in order; ends when the retries are used up.
 * Exponential: cenkalti/backoff's randomised interval, then ×multiplier up to maxInterval.
 */
export function* retryDelays(policy: RetryPolicy, random: () => number = Math.random): Generator<number, void, void> {
  let interval = policy.initialIntervalMs;
  for (let retry = 0; policy.maxRetries < 0 || retry < policy.maxRetries; retry++) {
    if (policy.policy === "constant") {
      yield policy.durationMs;
      continue;
    }
    const delta = policy.randomizationFactor * interval;
    yield interval - delta + random() * 2 * delta;
    interval = Math.min(interval * policy.multiplier, policy.maxIntervalMs);
  }
}

export interface RetryOptions {
  /** Aborts the wait between attempts (the stand-in is stopping). */
  signal?: AbortSignal;
  onRetry?: (error: Error, delayMs: number) => void;
}

/** Runs `operation` until it resolves or the policy's retries are used up (then rethrows the last error). */
export async function withRetries<T>(retry: RetryPolicy | undefined, operation: () => Promise<T>, { signal, onRetry }: RetryOptions = {}): Promise<T> {
  const delays: Iterator<number> = retry ? retryDelays(retry) : [].values();
  for (;;) {
    try {
      return await operation();
    } catch (error) {
      const next = delays.next();
      if (next.done) throw error;
      onRetry?.(error as Error, next.value);
      await sleep(next.value, undefined, { signal });
    }
  }
}
