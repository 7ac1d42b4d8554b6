/**
 * One event to one subscriber, as daprd 1.18 does it (pkg/runtime/subscription
 * and its HTTP postman): route it with the subscription's rules, POST the
 * envelope, read the reply, retry per the pubsub's inbound resiliency policy,
 * and dead-letter what cannot be delivered.
 *
 * Dead-lettering follows the daprd source, not older docs: when the
 * subscription has a deadLetterTopic, Dapr 1.18 sends it exhausted retries,
 * DROP replies, 404s and events no rule matches (dapr/dapr#7097, #8297).
 *
 * An app that is not listening (crashed, restarting) is not a failed delivery:
 * its sidecar would not be consuming either, so the event waits for the app
 * instead of using up its retries.
 */
import { setTimeout as sleep } from "node:timers/promises";
import type { Logger } from "pino";
import { AppUnreachableError, callApp, type SidecarApp } from "./app-channel.js";
import type { Message } from "./broker.js";
import { withRetries, type TargetPolicy } from "./resiliency.js";
import type { Subscription } from "./subscriptions.js";

export type ReplyOutcome =
  | { kind: "success" }
  | { kind: "retry"; reason: string }
  /** Dapr logs a DROP reply as a warning and a 404 as an error. */
  | { kind: "drop"; reason: string; level: "warn" | "error" };

/** Dapr's subscriber reply table (HTTP). */
export function classifyReply(status: number, body: string): ReplyOutcome {
  if (status === 404) return { kind: "drop", reason: `the app answered 404 ${body.slice(0, 200)}`, level: "error" };
  if (status < 200 || status > 299) return { kind: "retry", reason: `the app answered ${status} ${body.slice(0, 200)}` };
  let reply: unknown;
  try {
    reply = JSON.parse(body);
  } catch {
    return { kind: "success" }; // empty or not JSON: Dapr skips the status check
  }
  const answer = reply && typeof reply === "object" && !Array.isArray(reply) ? (reply as { status?: unknown }).status : undefined;
  // Dapr decodes into { status string }: a missing, empty or non-string status is a success.
  if (typeof answer !== "string" || answer === "" || answer === "SUCCESS") return { kind: "success" };
  if (answer === "RETRY") return { kind: "retry", reason: "the app answered RETRY" };
  if (answer === "DROP") return { kind: "drop", reason: "the app answered DROP", level: "warn" };
  return { kind: "retry", reason: `the app answered an unknown status ${JSON.stringify(answer)}` };
}

export interface DeliveryContext {
  app: SidecarApp;
  /** The inbound policy of the subscription's pubsub component. */
  policy: TargetPolicy;
  /** Publishes to the dead-letter topic; false when the broker refuses it. */
  publish(message: Message): boolean;
  log: Logger;
  /** How often to knock again on an app that is not listening. */
  appDownRetryMs: number;
  /** Resolves when the app passes its health check (app-health.ts): no delivery is tried before. */
  appHealthy(): Promise<void>;
  /** Aborted when the stand-in stops: pending waits end and the event is left undelivered. */
  signal: AbortSignal;
}

/** A delivery that may succeed if tried again. */
class RetryableDelivery extends Error {
  override readonly name = "RetryableDelivery";
}

async function attempt(path: string, message: Message, ctx: DeliveryContext): Promise<Exclude<ReplyOutcome, { kind: "retry" }>> {
  for (;;) {
    let outcome: ReplyOutcome;
    // Like daprd, which unsubscribes while the app is unhealthy: the event waits, its retries unspent.
    await ctx.appHealthy();
    try {
      const response = await callApp(ctx.app, {
        method: "POST",
        path,
        body: JSON.stringify(message.envelope),
        headers: { "content-type": "application/cloudevents+json" },
        timeoutMs: ctx.policy.timeoutMs,
      });
      outcome = classifyReply(response.status, await response.text());
    } catch (error) {
      if (!(error instanceof AppUnreachableError)) throw new RetryableDelivery((error as Error).message, { cause: error });
      await sleep(ctx.appDownRetryMs, undefined, { signal: ctx.signal });
      continue;
    }
    if (outcome.kind === "retry") throw new RetryableDelivery(outcome.reason);
    return outcome;
  }
}

export async function deliverEvent(subscription: Subscription, message: Message, ctx: DeliveryContext): Promise<void> {
  const log = ctx.log.child({ app: subscription.appId, topic: message.topic, eventId: message.envelope.id, eventType: message.envelope.type });
  const deadLetter = (reason: string, level: "warn" | "error" = "error") => {
    const topic = subscription.deadLetterTopic;
    if (!topic) return log[level](`${reason}; no deadLetterTopic, event dropped`);
    if (ctx.publish({ ...message, topic })) log.warn(`${reason}; sent to dead-letter topic ${topic}`);
    else log.error(`${reason}; dead-letter topic ${topic} refused it (queues full), event dropped`);
  };

  let path: string | undefined;
  try {
    path = subscription.route(message.envelope);
  } catch (error) {
    return deadLetter(`routing rules failed: ${(error as Error).message}`);
  }
  if (path === undefined) {
    if (subscription.deadLetterTopic) deadLetter("no routing rule matches", "warn");
    return;
  }

  let outcome: Awaited<ReturnType<typeof attempt>>;
  try {
    outcome = await withRetries(ctx.policy.retry, () => attempt(path, message, ctx), {
      signal: ctx.signal,
      onRetry: (error, delayMs) => log.warn(`${error.message}; retrying in ${Math.round(delayMs)} ms`),
    });
  } catch (error) {
    if (ctx.signal.aborted) return log.warn("stand-in stopping; event left undelivered");
    if (error instanceof RetryableDelivery) return deadLetter(`${error.message}; retries exhausted`);
    throw error;
  }
  if (outcome.kind === "drop") deadLetter(outcome.reason, outcome.level);
}
