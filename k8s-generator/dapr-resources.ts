/**
 * The Dapr resources in dapr/ (what `npm start` and the e2e stack load),
 * carried over to Kubernetes. The logical settings stay in dapr/; only what
 * differs in a cluster is patched here: the Kafka brokers.
 */
import type { Document } from "yaml";
import { isComponent } from "../toolkit/dapr-sources.js";
import { KAFKA_BOOTSTRAP_SERVICE, KAFKA_PLAIN_PORT } from "./settings.js";

/** The cluster's brokers: Strimzi's plain listener, reached through its bootstrap Service. */
const CLUSTER_BROKERS = `${KAFKA_BOOTSTRAP_SERVICE}:${KAFKA_PLAIN_PORT}`;

/** A copy of the document, comments kept, with the environment-specific fields set for the cluster. */
export function forKubernetes(document: Document.Parsed): Document {
  const copy = document.clone();
  const body: unknown = copy.toJS();
  if (isComponent(body) && body.spec.type === "pubsub.kafka") {
    const index = (body.spec.metadata ?? []).findIndex((item) => item.name === "brokers");
    if (index < 0) throw new Error(`component ${body.metadata.name}: pubsub.kafka needs a brokers item`);
    copy.setIn(["spec", "metadata", index, "value"], CLUSTER_BROKERS);
  }
  return copy;
}
