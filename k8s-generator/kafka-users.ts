/**
 * Kafka identities: one Strimzi KafkaUser per function (SCRAM-SHA-512; the
 * user operator keeps its password in a Secret of the same name, which the
 * sidecar reads) allowed exactly what the function does — write the topics it
 * publishes, read its subscription's topic as its own consumer group, write
 * that subscription's dead-letter topic — and the user KEDA reads lag as,
 * allowed only to describe those topics and groups.
 */
import { toSubscription } from "../runtime/topic-trigger.js";
import type { FunctionDefinition, TopicTrigger } from "../runtime/types.js";
import { labelsOf } from "./labels.js";
import { publishedTopics } from "./published-topics.js";
import { KAFKA_CLUSTER, KAFKA_CLUSTER_CA, KEDA_KAFKA_USER, KEDA_TRIGGER_AUTHENTICATION } from "./settings.js";

type Operation = "Read" | "Write" | "Describe";

export interface Acl {
  resource: { type: "topic" | "group"; name: string; patternType: "literal" };
  operations: Operation[];
}

export interface KafkaUser {
  apiVersion: "kafka.strimzi.io/v1";
  kind: "KafkaUser";
  metadata: { name: string; labels: Record<string, string> };
  spec: { authentication: { type: "scram-sha-512" }; authorization: { type: "simple"; acls: Acl[] } };
}

const topic = (name: string, operations: Operation[]): Acl => ({ resource: { type: "topic", name, patternType: "literal" }, operations });
const group = (name: string, operations: Operation[]): Acl => ({ resource: { type: "group", name, patternType: "literal" }, operations });

/** One rule per resource, its operations merged: a consumer that also publishes its topic gets one topic rule. */
function merged(acls: readonly Acl[]): Acl[] {
  const byResource = new Map<string, Acl>();
  for (const acl of acls) {
    const key = `${acl.resource.type}/${acl.resource.name}`;
    const known = byResource.get(key);
    if (known) known.operations = [...new Set([...known.operations, ...acl.operations])];
    else byResource.set(key, { resource: acl.resource, operations: [...acl.operations] });
  }
  return [...byResource.values()];
}

function kafkaUser(name: string, labels: Record<string, string>, acls: Acl[]): KafkaUser {
  return {
    apiVersion: "kafka.strimzi.io/v1",
    kind: "KafkaUser",
    // The user operator manages only users labelled with their cluster.
    metadata: { name, labels: { ...labels, "strimzi.io/cluster": KAFKA_CLUSTER } },
    spec: { authentication: { type: "scram-sha-512" }, authorization: { type: "simple", acls: merged(acls) } },
  };
}

/** The function's KafkaUser: its name is the app id, which the sidecar logs in as (`{appID}`). */
export function kafkaUserOf(definition: FunctionDefinition, consumerGroup: string | undefined): KafkaUser {
  const acls = publishedTopics(definition).map((name) => topic(name, ["Write", "Describe"]));
  if (definition.trigger.kind === "topic") {
    const subscription = toSubscription(definition as FunctionDefinition<TopicTrigger>);
    if (!consumerGroup) throw new Error(`${definition.appId}: a topic function needs its consumer group`);
    acls.push(topic(subscription.topic, ["Read", "Describe"]), group(consumerGroup, ["Read"]), topic(subscription.deadLetterTopic, ["Write", "Describe"]));
  }
  return kafkaUser(definition.appId, labelsOf(definition.appId, "function"), acls);
}

export interface Consumed {
  topic: string;
  consumerGroup: string;
}

/** KEDA's user, its non-secret settings and the TriggerAuthentication every kafka trigger names. */
export function kedaKafkaAccess(consumed: readonly Consumed[]): unknown[] {
  const acls = [...new Set(consumed.map((c) => c.topic))].map((name) => topic(name, ["Describe"]));
  acls.push(...consumed.map((c) => group(c.consumerGroup, ["Describe"])));
  const settings = `${KEDA_KAFKA_USER}-kafka`;
  return [
    kafkaUser(KEDA_KAFKA_USER, {}, acls),
    {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: settings },
      data: { username: KEDA_KAFKA_USER, sasl: "scram_sha512", tls: "enable" },
    },
    {
      apiVersion: "keda.sh/v1alpha1",
      kind: "TriggerAuthentication",
      metadata: { name: KEDA_TRIGGER_AUTHENTICATION },
      spec: {
        configMapTargetRef: ["username", "sasl", "tls"].map((key) => ({ parameter: key, name: settings, key })),
        secretTargetRef: [
          { parameter: "password", name: KEDA_KAFKA_USER, key: "password" },
          { parameter: "ca", name: KAFKA_CLUSTER_CA.name, key: KAFKA_CLUSTER_CA.key },
        ],
      },
    },
  ];
}
