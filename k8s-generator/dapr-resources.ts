/**
 * The Dapr resources in dapr/ (what `npm start` and the e2e stack load),
 * carried over to Kubernetes. The logical settings stay in dapr/; only what
 * differs in a cluster is patched here: the Kafka brokers and how to log in.
 */
import type { Document } from "yaml";
import { isComponent } from "../toolkit/dapr-sources.js";
import { KAFKA_BOOTSTRAP_SERVICE, KAFKA_CLUSTER_CA, KAFKA_PASSWORD_ENV, KAFKA_TLS_PORT } from "./settings.js";

/** The cluster's brokers: Strimzi's TLS listener, reached through its bootstrap Service. */
const CLUSTER_BROKERS = `${KAFKA_BOOTSTRAP_SERVICE}:${KAFKA_TLS_PORT}`;

/**
 * In the cluster each sidecar logs in as its own KafkaUser (named after the
 * app id, Dapr resolves `{appID}`) with SCRAM-SHA-512 over TLS, trusting
 * Strimzi's cluster CA; its password comes from the user's Secret through the
 * sidecar's environment (deployment.ts).
 */
const CLUSTER_AUTH: Record<string, Record<string, unknown>> = {
  authType: { value: "password" },
  saslUsername: { value: "{appID}" },
  saslPassword: { envRef: KAFKA_PASSWORD_ENV },
  saslMechanism: { value: "SHA-512" },
  caCert: { secretKeyRef: { name: KAFKA_CLUSTER_CA.name, key: KAFKA_CLUSTER_CA.key } },
};

/** A copy of the document, comments kept, with the environment-specific fields set for the cluster. */
export function forKubernetes(document: Document.Parsed): Document {
  const copy = document.clone();
  const body: unknown = copy.toJS();
  if (isComponent(body) && body.spec.type === "pubsub.kafka") {
    const items = body.spec.metadata ?? [];
    const index = items.findIndex((item) => item.name === "brokers");
    if (index < 0) throw new Error(`component ${body.metadata.name}: pubsub.kafka needs a brokers item`);
    copy.setIn(["spec", "metadata", index, "value"], CLUSTER_BROKERS);
    for (const [name, item] of Object.entries(CLUSTER_AUTH)) {
      const at = items.findIndex((existing) => existing.name === name);
      if (at >= 0) copy.setIn(["spec", "metadata", at], copy.createNode({ name, ...item }));
      else copy.addIn(["spec", "metadata"], copy.createNode({ name, ...item }));
    }
  }
  return copy;
}
