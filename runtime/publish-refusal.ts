/**
 * What daprd's answer to a refused publish means for the event: is the event
 * itself the problem (never publishable: the Dapr client rejects with
 * UnpublishableEventError), or is it
 * the sidecar, its circuit breaker or the broker (try again later)?
 *
 * daprd answers 500 ERR_PUBSUB_PUBLISH_MESSAGE for every component error, so the
 * broker's reason is only in the message: Sarama's own size check ("Attempt to
 * produce message larger than configured Producer.MaxMessageBytes") or Kafka's
 * MESSAGE_TOO_LARGE / RecordTooLargeException. daprd's own refusals of the
 * request body are 413 (over its max body size) and 400 ERR_PUBSUB_CLOUD_EVENTS_SER.
 * Other 4xx (an unknown pub/sub, a topic the app may not use) are configuration,
 * true of every event alike: they stay transient, like an outage.
 */
/**
 * Kafka's default limit on one record (the broker's message.max.bytes, Sarama's
 * Producer.MaxMessageBytes): a larger event is refused without asking the sidecar,
 * so its refusals never count against the sidecar's circuit breaker on publishes.
 */
export const MAX_EVENT_BYTES = 1024 * 1024;

const TOO_LARGE_FOR_THE_BROKER = /MaxMessageBytes|message was too large|MESSAGE_TOO_LARGE|RecordTooLarge/i;

/** Whether a refusal (status, body of daprd's answer) is about the event itself. */
export function refusesTheEvent(status: number, body: string): boolean {
  if (status === 413) return true;
  if (status === 400) return body.includes("ERR_PUBSUB_CLOUD_EVENTS_SER");
  return status >= 500 && body.includes("ERR_PUBSUB_PUBLISH_MESSAGE") && TOO_LARGE_FOR_THE_BROKER.test(body);
}
