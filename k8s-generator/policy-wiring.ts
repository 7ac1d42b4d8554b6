/**
 * The rendered objects against the function definitions they must serve: each
 * function has its Deployment, an HTTP function is routed (method + path) to
 * it alone, a topic consumer's ScaledObject watches exactly the topic and
 * consumer group its Dapr subscription uses, a cron function's binding is
 * loaded by its sidecar, and every topic anything names exists.
 */
import type { IHTTPRoute } from "@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1";
import type { IDeployment } from "kubernetes-models/apps/v1";
import type { IHorizontalPodAutoscaler } from "kubernetes-models/autoscaling/v2";
import type { IPodDisruptionBudget } from "kubernetes-models/policy/v1";
import type { IService } from "kubernetes-models/v1";
import { toSubscription } from "../runtime/topic-trigger.js";
import type { BindingTrigger, FunctionDefinition, HttpTrigger, TopicTrigger } from "../runtime/types.js";
import { EVENT_TYPES } from "../tasks/events.js";
import { type DaprComponent, metadataOf } from "../toolkit/dapr-sources.js";
import { kafkaConsumerOf } from "./kafka-consumer.js";
import type { KafkaTopic } from "./kafka-topics.js";
import { describe, type Manifest, ofKind } from "./manifest.js";
import type { ScaledObject } from "./scaling.js";

interface Kafka {
  spec: { kafka: { listeners: { name: string; port: number; tls: boolean; authentication?: { type: string } }[] } };
}

type Deployment = Manifest & IDeployment;

/** Everything the per-function checks look things up in. */
interface Rendered {
  manifests: readonly Manifest[];
  deployments: Map<string, Deployment>;
  components: Map<string, Manifest & DaprComponent>;
  topics: Map<string, Manifest & KafkaTopic>;
  scaledObjects: (Manifest & ScaledObject)[];
  hpas: (Manifest & IHorizontalPodAutoscaler)[];
}

function index(manifests: readonly Manifest[]): Rendered {
  const deployments = new Map<string, Deployment>();
  for (const deployment of ofKind<IDeployment>(manifests, "Deployment")) {
    const appId = deployment.spec?.template.metadata?.annotations?.["dapr.io/app-id"];
    if (appId) deployments.set(appId, deployment);
  }
  return {
    manifests,
    deployments,
    components: new Map(ofKind<DaprComponent>(manifests, "Component").map((c) => [c.metadata.name, c])),
    topics: new Map(ofKind<KafkaTopic & { spec: { topicName?: string } }>(manifests, "KafkaTopic").map((t) => [t.spec.topicName ?? t.metadata.name, t])),
    scaledObjects: ofKind<ScaledObject>(manifests, "ScaledObject"),
    hpas: ofKind<IHorizontalPodAutoscaler>(manifests, "HorizontalPodAutoscaler"),
  };
}

function podLabels(deployment: Deployment): Record<string, string> {
  return deployment.spec?.template.metadata?.labels ?? {};
}

function selects(selector: Record<string, string> | undefined, labels: Record<string, string>): boolean {
  return selector !== undefined && Object.keys(selector).length > 0 && Object.entries(selector).every(([key, value]) => labels[key] === value);
}

/** A concrete request path for an OpenAPI path: `{param}` → a sample segment. */
function samplePath(openApiPath: string): string {
  return openApiPath.replace(/\{[^}]+\}/g, "sample-1");
}

/** The Services an HTTPRoute sends (method, path) to, across every rule that matches it. */
function routedServices(routes: readonly (Manifest & IHTTPRoute)[], method: string, path: string): string[] {
  return routes.flatMap((route) =>
    (route.spec.rules ?? []).flatMap((rule) => {
      const matches = (rule.matches ?? []).some((match) => {
        if (match.method !== undefined && match.method !== method) return false;
        const value = match.path?.value ?? "/";
        switch (match.path?.type ?? "PathPrefix") {
          case "Exact":
            return path === value;
          case "RegularExpression":
            return new RegExp(value).test(path);
          default:
            return path === value || path.startsWith(value.endsWith("/") ? value : `${value}/`);
        }
      });
      return matches ? (rule.backendRefs ?? []).map((ref) => ref.name) : [];
    }),
  );
}

function httpViolations(definition: FunctionDefinition<HttpTrigger>, deployment: Deployment, rendered: Rendered): string[] {
  const { appId, trigger } = definition;
  const problems: string[] = [];
  const services = ofKind<IService>(rendered.manifests, "Service").filter((s) => selects(s.spec?.selector, podLabels(deployment)));
  if (services.length !== 1) problems.push(`${appId}: ${services.length} Services select its pods, expected 1`);
  const method = trigger.method.toUpperCase();
  const sample = samplePath(trigger.path);
  const targets = routedServices(ofKind<IHTTPRoute>(rendered.manifests, "HTTPRoute"), method, sample);
  const service = services[0]?.metadata.name;
  if (targets.length !== 1 || targets[0] !== service) {
    problems.push(`${appId}: ${method} ${sample} must route to Service ${service ?? "(none)"} alone, routes to [${targets.join(", ")}]`);
  }
  const hpa = rendered.hpas.find((h) => h.spec?.scaleTargetRef.name === deployment.metadata.name);
  if (!hpa) problems.push(`${appId}: no HorizontalPodAutoscaler`);
  else if ((hpa.spec?.minReplicas ?? 1) < 1) problems.push(`${appId}: HorizontalPodAutoscaler allows fewer than 1 replica`);
  const pdbs = ofKind<IPodDisruptionBudget>(rendered.manifests, "PodDisruptionBudget").filter((p) =>
    selects(p.spec?.selector?.matchLabels, podLabels(deployment)),
  );
  if (pdbs.length === 0) problems.push(`${appId}: no PodDisruptionBudget`);
  return problems;
}

function kafkaBootstrap(rendered: Rendered): { service: string; namespace: string | undefined; port: number } | undefined {
  const [kafka, ...others] = ofKind<Kafka>(rendered.manifests, "Kafka");
  if (!kafka || others.length > 0) return undefined;
  // Only a TLS listener that authenticates: the security policy rejects any other.
  const listener = kafka.spec.kafka.listeners.find((l) => l.tls && l.authentication?.type === "scram-sha-512");
  return listener && { service: `${kafka.metadata.name}-kafka-bootstrap`, namespace: kafka.metadata.namespace, port: listener.port };
}

function topicViolations(definition: FunctionDefinition<TopicTrigger>, deployment: Deployment, rendered: Rendered): string[] {
  const { appId } = definition;
  const subscription = toSubscription(definition);
  const problems: string[] = [];
  const component = rendered.components.get(subscription.pubsubname);
  if (!component?.spec.type.startsWith("pubsub.kafka"))
    return [`${appId}: subscribes through ${subscription.pubsubname}, which is not a rendered pubsub.kafka Component`];
  const consumer = kafkaConsumerOf(metadataOf(component), appId);
  const scaled = rendered.scaledObjects.filter((s) => s.spec.scaleTargetRef.name === deployment.metadata.name);
  if (scaled.length !== 1) return [`${appId}: ${scaled.length} ScaledObjects target it, expected 1`];
  const triggers = scaled[0]!.spec.triggers.filter((t) => t.type === "kafka");
  if (triggers.length !== 1) return [`${appId}: its ScaledObject has ${triggers.length} kafka triggers, expected 1`];
  const kafkaTrigger = triggers[0]!.metadata;
  const expect = (field: string, actual: string | undefined, wanted: string | undefined) => {
    if (actual !== wanted) problems.push(`${appId}: ScaledObject ${field} is ${actual}, but its Dapr subscription implies ${wanted}`);
  };
  expect("topic", kafkaTrigger.topic, subscription.topic);
  expect("consumerGroup", kafkaTrigger.consumerGroup, consumer.consumerGroup);
  expect("offsetResetPolicy", kafkaTrigger.offsetResetPolicy ?? "latest", consumer.offsetResetPolicy);
  const bootstrap = kafkaBootstrap(rendered);
  const wanted = bootstrap && `${bootstrap.service}.${bootstrap.namespace}.svc:${bootstrap.port}`;
  if (kafkaTrigger.bootstrapServers !== wanted)
    problems.push(`${appId}: ScaledObject bootstrapServers ${kafkaTrigger.bootstrapServers} is not the Kafka bootstrap Service ${wanted}`);
  const partitions = rendered.topics.get(subscription.topic)?.spec.partitions;
  if (partitions !== undefined && scaled[0]!.spec.maxReplicaCount > partitions) {
    problems.push(`${appId}: maxReplicaCount ${scaled[0]!.spec.maxReplicaCount} exceeds the ${partitions} partitions of ${subscription.topic}`);
  }
  return problems;
}

function bindingViolations({ appId, trigger }: FunctionDefinition<BindingTrigger>, deployment: Deployment, rendered: Rendered): string[] {
  const component = rendered.components.get(trigger.binding);
  if (!component?.spec.type.startsWith("bindings.")) return [`${appId}: its input binding ${trigger.binding} is not a rendered bindings.* Component`];
  const problems: string[] = [];
  const scopes = component.scopes ?? [];
  if (scopes.length > 0 && !scopes.includes(appId)) problems.push(`${appId}: Component ${trigger.binding} is scoped to [${scopes.join(", ")}], not to it`);
  if (!metadataOf(component).direction?.includes("input")) problems.push(`${appId}: Component ${trigger.binding} is not an input binding`);
  if ((deployment.spec?.replicas ?? 0) < 1) problems.push(`${appId}: a cron function needs a fixed replica count of at least 1`);
  return problems;
}

/** Subscriptions, dead letters and everything published must exist as KafkaTopics: the cluster creates none on its own. */
function missingTopics(functions: readonly FunctionDefinition[], rendered: Rendered): string[] {
  const needed = new Set<string>(Object.values(EVENT_TYPES).map((event) => event.topic));
  for (const definition of functions) {
    if (definition.trigger.kind !== "topic") continue;
    const subscription = toSubscription(definition as FunctionDefinition<TopicTrigger>);
    needed.add(subscription.topic).add(subscription.deadLetterTopic);
  }
  for (const scaled of rendered.scaledObjects) for (const t of scaled.spec.triggers) if (t.metadata.topic) needed.add(t.metadata.topic);
  return [...needed].filter((topic) => !rendered.topics.has(topic)).map((topic) => `topic ${topic} is used but has no KafkaTopic`);
}

function sharedViolations(rendered: Rendered): string[] {
  const problems: string[] = [];
  const bootstrap = kafkaBootstrap(rendered);
  if (!bootstrap) problems.push("expected exactly one Kafka with a TLS listener that authenticates with scram-sha-512");
  // Strimzi's operators ignore a topic or node pool labelled for another cluster.
  const clusters = new Set(ofKind(rendered.manifests, "Kafka").map((kafka) => kafka.metadata.name));
  for (const owned of rendered.manifests.filter((m) => m.kind === "KafkaTopic" || m.kind === "KafkaNodePool")) {
    const cluster = owned.metadata.labels?.["strimzi.io/cluster"];
    if (!cluster || !clusters.has(cluster)) problems.push(`${describe(owned)}: strimzi.io/cluster ${cluster} names no rendered Kafka`);
  }
  for (const component of rendered.components.values()) {
    if (component.spec.type !== "pubsub.kafka" || !bootstrap) continue;
    const brokers = metadataOf(component).brokers;
    if (brokers !== `${bootstrap.service}:${bootstrap.port}`) problems.push(`${describe(component)}: brokers ${brokers} is not the Kafka bootstrap Service`);
  }
  const configurations = new Set(ofKind(rendered.manifests, "Configuration").map((c) => c.metadata.name));
  for (const deployment of rendered.deployments.values()) {
    const config = deployment.spec?.template.metadata?.annotations?.["dapr.io/config"];
    if (config && !configurations.has(config)) problems.push(`${describe(deployment)}: Dapr Configuration ${config} is not rendered`);
  }
  return problems;
}

/** Lag-based scaling only makes sense for a function that consumes a topic. */
function strayScaledObjects(functions: readonly FunctionDefinition[], rendered: Rendered): string[] {
  const consumers = new Set(functions.filter((f) => f.trigger.kind === "topic").map((f) => f.appId));
  return rendered.scaledObjects.flatMap((scaled) => {
    const target = [...rendered.deployments.entries()].find(([, d]) => d.metadata.name === scaled.spec.scaleTargetRef.name);
    if (!target) return [`${describe(scaled)} targets a missing Deployment`];
    return consumers.has(target[0]) ? [] : [`${describe(scaled)} scales ${target[0]}, which consumes no topic`];
  });
}

export function wiringViolations(manifests: readonly Manifest[], functions: readonly FunctionDefinition[]): string[] {
  const rendered = index(manifests);
  const perFunction = functions.flatMap((definition) => {
    const deployment = rendered.deployments.get(definition.appId);
    if (!deployment) return [`${definition.appId}: no Deployment with that Dapr app id`];
    const { trigger } = definition;
    switch (trigger.kind) {
      case "http":
        return httpViolations({ ...definition, trigger }, deployment, rendered);
      case "topic":
        return topicViolations({ ...definition, trigger }, deployment, rendered);
      case "binding":
        return bindingViolations({ ...definition, trigger }, deployment, rendered);
    }
  });
  return [...perFunction, ...missingTopics(functions, rendered), ...strayScaledObjects(functions, rendered), ...sharedViolations(rendered)];
}
