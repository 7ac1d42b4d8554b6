import { randomUUID } from "node:crypto";
import { CloudEvent, ValidationError, type CloudEventV1 } from "cloudevents";
import type { TraceContext } from "./trace-context.js";

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
 *
 * Validated in place, as parseCloudEvent validates a usual envelope: every attribute
 * is a string and data is JSON, so the package's constructor would accept or refuse
 * it exactly as its validator does, after copying and freezing it, which cost more
 * than the rest of emitting an event (bench/ part 1, recurring events).
 */
export function buildCloudEvent(draft: EventDraft, source: string, now = new Date()): TaskfnCloudEvent {
  const event: TaskfnCloudEvent = {
    specversion: "1.0",
    id: randomUUID(),
    source,
    type: draft.type,
    subject: draft.subject,
    time: now.toISOString(),
    datacontenttype: "application/json",
    partitionkey: draft.partitionKey,
    data: draft.data,
  };
  validateAgainstSpec.call(event);
  return event;
}

/**
 * The event with the CloudEvents distributed-tracing extension (`traceparent`,
 * `tracestate`), plus `traceid`, Dapr's older name for traceparent: Dapr 1.18
 * keeps an envelope's trace attributes only when `traceid` is there, and
 * otherwise writes its own over them, an empty one when its tracing is off
 * (components-contrib pubsub/envelope.go FromCloudEvent).
 */
export function withTraceContext(event: TaskfnCloudEvent, { traceparent, tracestate }: TraceContext): TaskfnCloudEvent {
  return { ...event, traceparent, traceid: traceparent, ...(tracestate ? { tracestate } : {}) };
}

/** The package's CloudEvents 1.0 check (its JSON schema, then every attribute name), run on the envelope as received. */
const validateAgainstSpec: (this: object) => boolean = CloudEvent.prototype.validate;

/**
 * Envelopes the package's constructor treats differently from its validator: it
 * decodes data_base64, refuses schemaurl on 1.0, and checks extension values
 * against the type system. Any value other than a string (every attribute Dapr
 * and our producers send is one) therefore goes through the constructor.
 */
function needsConstructor(envelope: Record<string, unknown>): boolean {
  for (const key in envelope) {
    if (key === "data") continue;
    if (key === "data_base64" || key === "schemaurl" || typeof envelope[key] !== "string") return true;
  }
  return false;
}

/**
 * Validates an incoming envelope against the CloudEvents 1.0 spec. Dapr adds its own
 * extensions (traceparent, pubsubname, topic…), which the spec allows.
 * Throws the package's ValidationError when the envelope is not a CloudEvent.
 *
 * A usual envelope (string attributes, JSON data) is validated in place by the
 * package, once, and returned as it is: building a CloudEvent copies it, deletes
 * every attribute from the copy one by one and freezes the result, which cost
 * more than the validation itself on every delivery. Everything else, and every
 * envelope that fails, goes through the package's constructor, so an event is
 * accepted or refused, with the same error, exactly as the constructor would.
 */
export function parseCloudEvent(body: unknown): CloudEventV1<unknown> {
  if (!body || typeof body !== "object" || Array.isArray(body)) throw new TypeError("body is not a JSON object");
  // The package fills in a missing id (a fresh uuid) and specversion, and accepts other
  // versions: an event without an id would then look new on every redelivery.
  const envelope = body as Record<string, unknown>;
  const { specversion, id, source, type } = envelope;
  if (specversion !== "1.0") throw new ValidationError(`specversion must be "1.0" (got ${JSON.stringify(specversion) ?? "none"})`);
  for (const [name, value] of [
    ["id", id],
    ["source", source],
    ["type", type],
  ] as const) {
    if (typeof value !== "string" || value === "") throw new ValidationError(`${name} must be a non-empty string`);
  }
  if (!needsConstructor(envelope)) {
    try {
      validateAgainstSpec.call(envelope);
      return envelope as unknown as CloudEventV1<unknown>;
    } catch {
      // The constructor below throws the package's own message (e.g. "invalid extension name").
    }
  }
  return new CloudEvent<unknown>(envelope as unknown as CloudEventV1<unknown>, true) as CloudEventV1<unknown>;
}
