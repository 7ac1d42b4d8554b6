/** The Dapr HTTP API as an app calls it through its own sidecar, with its DAPR_API_TOKEN. */
import { tokensOf, type Instance } from "./target.js";

/** Publishes a structured CloudEvent as is (our id, type and source kept), keyed for Kafka. */
export async function publishThrough(instance: Instance, topic: string, cloudEvent: object, partitionKey: string): Promise<void> {
  const url = `${instance.daprUrl}/v1.0/publish/pubsub/${topic}?metadata.partitionKey=${encodeURIComponent(partitionKey)}`;
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/cloudevents+json", "dapr-api-token": tokensOf(instance).daprApiToken },
    body: JSON.stringify(cloudEvent),
    signal: AbortSignal.timeout(15_000),
  });
  if (response.status !== 204) throw new Error(`publish to ${topic} answered ${response.status}: ${await response.text()}`);
}

/** Dapr service invocation: `<sidecar>/v1.0/invoke/<appId>/method/<path>`. */
export function invokeUrl(instance: Instance, appId: string, path: string): string {
  return `${instance.daprUrl}/v1.0/invoke/${appId}/method${path}`;
}
