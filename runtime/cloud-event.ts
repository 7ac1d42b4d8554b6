import { randomUUID } from "node:crypto";
import { CloudEvent, ValidationError, type CloudEventV1 } from "cloudevents";

/** What a function says when it emits an event; the runtime adds the envelope. */
export interface EventDraft {
  topic: string;
  type: string;
  subject: string;
  /** Kafka message key: every event of one user lands on one partition, in order. */
  partitionKey: string;
  data: unknown;
}

export type TaskfnCloudEvent = CloudEventV1<unknown> & { partitionkey: string };

/**
 * Builds a structured CloudEvent 1.0 and validates it with the `cloudevents` package.
 * The id is fresh here and becomes the outbox row id, so it stays the same across
 * every publish attempt and consumers can de-duplicate on it.
 */
export function buildCloudEvent(draft: EventDraft, source: string, now = new Date()): TaskfnCloudEvent {
  const event = new CloudEvent<unknown>(
    {
      specversion: "1.0",
      id: randomUUID(),
      source,
      type: draft.type,
      subject: draft.subject,
      time: now.toISOString(),
      datacontenttype: "application/json",
      partitionkey: draft.partitionKey,
      data: draft.data,
    },
    true,
  );
  return event.toJSON() as TaskfnCloudEvent;
}

/**
 * Validates an incoming envelope against the CloudEvents 1.0 spec. Dapr adds its own
 * extensions (traceparent, pubsubname, topic…), which the spec allows.
 * Throws the package's ValidationError when the envelope is not a CloudEvent.
 */
export function parseCloudEvent(body: unknown): CloudEventV1<unknown> {
  if (!body || typeof body !== "object" || Array.isArray(body)) throw new TypeError("body is not a JSON object");
  // The package fills in a missing id (a fresh uuid) and specversion, and accepts other
  // versions: an event without an id would then look new on every redelivery.
  const { specversion, id, source, type } = body as Record<string, unknown>;
  if (specversion !== "1.0") throw new ValidationError(`specversion must be "1.0" (got ${JSON.stringify(specversion) ?? "none"})`);
  for (const [name, value] of Object.entries({ id, source, type })) {
    if (typeof value !== "string" || value === "") throw new ValidationError(`${name} must be a non-empty string`);
  }
  const event = new CloudEvent<unknown>(body as CloudEventV1<unknown>, true);
  return event as CloudEventV1<unknown>;
}
