import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { createDaprClient } from "./dapr-client.js";
import { RetryableError, UnpublishableEventError } from "./errors.js";
import { MAX_EVENT_BYTES, refusesTheEvent } from "./publish-refusal.js";

/** What the Dapr client rejects a publish with when the sidecar answers `status` and `body`. */
async function publishRefusedWith(status: number, body: string): Promise<unknown> {
  const sidecar = createServer((_req, res) => res.writeHead(status).end(body));
  await new Promise<void>((resolve) => sidecar.listen(0, "127.0.0.1", resolve));
  try {
    const dapr = createDaprClient({ baseUrl: `http://127.0.0.1:${(sidecar.address() as AddressInfo).port}` });
    return await dapr.publish({ pubsub: "pubsub", topic: "tasks", cloudEvent: { id: "e" }, partitionKey: "alice" }).then(
      () => undefined,
      (error: unknown) => error,
    );
  } finally {
    sidecar.close();
  }
}

/** daprd 1.18's answer body for a failed publish (messages/predefined.go: ERR_PUBSUB_PUBLISH_MESSAGE, 500). */
const publishFailed = (cause: string) =>
  JSON.stringify({ errorCode: "ERR_PUBSUB_PUBLISH_MESSAGE", message: `error when publish to topic tasks in pubsub pubsub: ${cause}` });

describe("a refused publish", () => {
  it.each([
    [
      "Sarama's own size check",
      500,
      publishFailed("kafka: invalid configuration (Attempt to produce message larger than configured Producer.MaxMessageBytes: 1500312 > 1048576)"),
    ],
    ["the broker's MESSAGE_TOO_LARGE", 500, publishFailed("kafka server: Message was too large, server rejected it to avoid allocation error")],
    ["daprd's body limit", 413, "request entity too large"],
    ["not a CloudEvent", 400, JSON.stringify({ errorCode: "ERR_PUBSUB_CLOUD_EVENTS_SER", message: "error when unmarshalling the cloud event" })],
  ])("is the event's own fault when it is %s", async (_what, status, body) => {
    expect(refusesTheEvent(status, body)).toBe(true);
    expect(await publishRefusedWith(status, body)).toBeInstanceOf(UnpublishableEventError);
  });

  it.each([
    ["the circuit breaker is open", 500, publishFailed("circuit breaker is open")],
    [
      "the broker is unreachable",
      500,
      publishFailed("kafka: client has run out of available brokers to talk to: dial tcp 127.0.0.1:9092: connect: connection refused"),
    ],
    ["a timeout", 500, publishFailed("timeout exceeded")],
    ["an unknown pub/sub (configuration: every event alike)", 404, JSON.stringify({ errorCode: "ERR_PUBSUB_NOT_FOUND", message: "pubsub pubsub not found" })],
    ["a topic the app may not publish to", 403, JSON.stringify({ errorCode: "ERR_PUBSUB_FORBIDDEN", message: "topic tasks is not allowed" })],
    ["the sidecar still starting", 500, "dapr is not ready"],
  ])("is transient when it is %s", async (_what, status, body) => {
    expect(refusesTheEvent(status, body)).toBe(false);
    expect(await publishRefusedWith(status, body)).toBeInstanceOf(RetryableError);
  });

  it("of an event larger than Kafka takes happens without asking the sidecar, so it never counts against the sidecar's circuit breaker", async () => {
    // Nothing listens on port 9: a request would fail as unreachable (RetryableError).
    const dapr = createDaprClient({ baseUrl: "http://127.0.0.1:9" });
    const cloudEvent = { id: "e", padding: "x".repeat(MAX_EVENT_BYTES) };
    await expect(dapr.publish({ pubsub: "pubsub", topic: "tasks", cloudEvent, partitionKey: "alice" })).rejects.toBeInstanceOf(UnpublishableEventError);
    await expect(dapr.publish({ pubsub: "pubsub", topic: "tasks", cloudEvent: { id: "e" }, partitionKey: "alice" })).rejects.toBeInstanceOf(RetryableError);
  });
});
