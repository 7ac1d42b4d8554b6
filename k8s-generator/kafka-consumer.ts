/**
 * The Kafka consumer a topic function's sidecar really runs, read from the Dapr
 * pub/sub component's metadata the way Dapr's pubsub.kafka reads it. KEDA must
 * measure exactly this group's lag, from the same starting offset.
 */
export interface KafkaConsumer {
  consumerGroup: string;
  /** KEDA's name for Dapr's `initialOffset`: where a group with no commit starts. */
  offsetResetPolicy: "earliest" | "latest";
  /** Kafka protocol version of the (Sarama) client, when the component pins one. */
  version: string | undefined;
}

/** Dapr resolves `{appID}` when the sidecar starts; any other tag would differ per pod or namespace. */
function resolveGroup(template: string, appId: string): string {
  const group = template.replaceAll("{appID}", appId);
  const unresolved = /\{[^}]+\}/.exec(group);
  if (unresolved) throw new Error(`consumer group "${template}" uses ${unresolved[0]}, which KEDA cannot know: name the group after {appID}`);
  return group;
}

export function kafkaConsumerOf(metadata: Readonly<Record<string, string | undefined>>, appId: string): KafkaConsumer {
  // pubsub.kafka: consumerGroup wins, else consumerID, else the app id.
  const template = metadata.consumerGroup || metadata.consumerID || "{appID}";
  return {
    consumerGroup: resolveGroup(template, appId),
    offsetResetPolicy: metadata.initialOffset === "oldest" ? "earliest" : "latest",
    version: metadata.version || undefined,
  };
}
