/**
 * Failure classes for event and binding handlers. The runtime maps them to
 * Dapr's replies in one place (see toDaprStatus in topic-trigger.ts):
 * a PoisonEventError is dropped, anything else is retried.
 */

/** The event can never be processed (malformed, unknown, violates its schema): drop it. */
export class PoisonEventError extends Error {
  override readonly name = "PoisonEventError";
}

/** A transient failure (a dependency is down, a conflict): try again later. */
export class RetryableError extends Error {
  override readonly name = "RetryableError";
}

/**
 * The sidecar refused to publish an event because of the event itself (too large
 * for the broker, not a valid CloudEvent): sending it again can never succeed.
 * Not an outage, so the outbox relay sets the event aside at once.
 */
export class UnpublishableEventError extends Error {
  override readonly name = "UnpublishableEventError";
}
