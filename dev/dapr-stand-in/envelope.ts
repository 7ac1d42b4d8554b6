/**
 * What Dapr puts on the topic for `POST /v1.0/publish`: a structured CloudEvent
 * (`application/cloudevents+json`) is kept as sent, with Dapr's fields added;
 * any other body is wrapped in a fresh envelope of type `com.dapr.event.sent`.
 * Mirrors runtime/pubsub NewCloudEvent in dapr/dapr.
 */
import { randomBytes, randomUUID } from "node:crypto";

export type Envelope = Record<string, unknown>;

export interface PublishedBody {
  pubsub: string;
  topic: string;
  body: Buffer;
  contentType: string | undefined;
  /** App id of the publisher: the `source` of a wrapped body. */
  source: string;
}

/** The publish body cannot become an envelope (Dapr answers 400). */
export class EnvelopeError extends Error {
  override readonly name = "EnvelopeError";
}

const CLOUD_EVENT_JSON = /^application\/cloudevents\+json\b/i;
const JSON_CONTENT = /^application\/json\b|\+json\b/i;
const BINARY_CONTENT = /^application\/octet-stream\b/i;

function rfc3339Now(): string {
  return new Date().toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** A sampled W3C traceparent, standing in for the span Dapr would start. */
function newTraceparent(): string {
  return `00-${randomBytes(16).toString("hex")}-${randomBytes(8).toString("hex")}-01`;
}

function fromCloudEvent({ pubsub, topic, body }: PublishedBody): Envelope {
  let event: unknown;
  try {
    event = JSON.parse(body.toString("utf8"));
  } catch (error) {
    throw new EnvelopeError(`the body is not a JSON CloudEvent: ${(error as Error).message}`);
  }
  if (!event || typeof event !== "object" || Array.isArray(event)) throw new EnvelopeError("the body is not a JSON CloudEvent object");
  const traceparent = newTraceparent();
  return {
    specversion: "1.0",
    source: "Dapr",
    type: "com.dapr.event.sent",
    time: rfc3339Now(),
    traceid: traceparent,
    traceparent,
    tracestate: "",
    ...event,
    topic,
    pubsubname: pubsub,
  };
}

function wrap({ pubsub, topic, body, contentType, source }: PublishedBody): Envelope {
  const datacontenttype = contentType || "text/plain";
  const traceparent = newTraceparent();
  const envelope: Envelope = {
    id: randomUUID(),
    specversion: "1.0",
    datacontenttype,
    source,
    type: "com.dapr.event.sent",
    topic,
    pubsubname: pubsub,
    traceid: traceparent,
    traceparent,
    tracestate: "",
    time: rfc3339Now(),
  };
  if (BINARY_CONTENT.test(datacontenttype)) return { ...envelope, data_base64: body.toString("base64") };
  const text = body.toString("utf8");
  if (!JSON_CONTENT.test(datacontenttype)) return { ...envelope, data: text };
  try {
    return { ...envelope, data: JSON.parse(text) };
  } catch {
    return { ...envelope, data: text };
  }
}

export function toEnvelope(published: PublishedBody): Envelope {
  return CLOUD_EVENT_JSON.test(published.contentType ?? "") ? fromCloudEvent(published) : wrap(published);
}
