/**
 * The policies catch what they claim to: each case breaks one thing in the
 * rendered prod overlay and expects the violation that names it.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { FUNCTIONS } from "../functions/catalog.js";
import type { Manifest } from "./manifest.js";
import { policyViolations } from "./policy.js";
import { renderOverlay } from "./render.js";
import { missingToolMessage, toolForTests } from "../toolkit/tools.js";

const kustomize = toolForTests("kustomize");

type Break = (manifests: Manifest[]) => void;

function indexOf(manifests: Manifest[], kind: string, name: string): number {
  const index = manifests.findIndex((m) => m.kind === kind && m.metadata.name === name);
  if (index < 0) throw new Error(`no ${kind}/${name} rendered`);
  return index;
}

/** Sets (or, with undefined, deletes) the field at `path` of one rendered object. */
function edit(kind: string, name: string, path: (string | number)[], value: unknown): Break {
  return (manifests) => {
    let node = manifests[indexOf(manifests, kind, name)] as unknown as Record<string | number, unknown>;
    for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
    const last = path.at(-1)!;
    if (value === undefined) delete node[last];
    else node[last] = value;
  };
}

const remove =
  (kind: string, name: string): Break =>
  (manifests) =>
    void manifests.splice(indexOf(manifests, kind, name), 1);

const CONTAINER = ["spec", "template", "spec", "containers", 0];
const KAFKA_TRIGGER = ["spec", "triggers", 0, "metadata"];

const CASES: [string, Break, RegExp][] = [
  [
    "a ScaledObject reading another consumer group",
    edit("ScaledObject", "on-task-completed", [...KAFKA_TRIGGER, "consumerGroup"], "taskfn"),
    /on-task-completed: ScaledObject consumerGroup is taskfn/,
  ],
  [
    "a ScaledObject on another topic",
    edit("ScaledObject", "send-reminder", [...KAFKA_TRIGGER, "topic"], "tasks"),
    /send-reminder: ScaledObject topic is tasks/,
  ],
  [
    "more consumers than partitions",
    edit("ScaledObject", "send-reminder", ["spec", "maxReplicaCount"], 4),
    /maxReplicaCount 4 exceeds the 3 partitions of reminders/,
  ],
  [
    "KEDA left with the NAMESPACE placeholder",
    edit("ScaledObject", "send-reminder", [...KAFKA_TRIGGER, "bootstrapServers"], "taskfn-kafka-bootstrap.NAMESPACE.svc:9092"),
    /bootstrapServers .* is not the Kafka bootstrap Service/,
  ],
  ["a missing dead-letter topic", remove("KafkaTopic", "tasks-dlq"), /topic tasks-dlq is used but has no KafkaTopic/],
  ["an image on latest", edit("Deployment", "get-task", [...CONTAINER, "image"], "taskfn/get-task:latest"), /uses the latest tag/],
  ["an untagged image", edit("Job", "taskfn-migrate", [...CONTAINER, "image"], "taskfn/migrate"), /Job\/taskfn-migrate.*has no tag/],
  [
    "no readiness probe",
    edit("Deployment", "create-task", [...CONTAINER, "readinessProbe"], undefined),
    /create-task in taskfn container function has no readiness probe/,
  ],
  ["no memory limit", edit("Deployment", "relay-outbox", [...CONTAINER, "resources", "limits", "memory"], undefined), /has no memory limit/],
  [
    "privilege escalation",
    edit("Deployment", "list-tasks", [...CONTAINER, "securityContext", "allowPrivilegeEscalation"], true),
    /allows privilege escalation/,
  ],
  [
    "a shared Dapr app id",
    edit("Deployment", "get-task", ["spec", "template", "metadata", "annotations", "dapr.io/app-id"], "list-tasks"),
    /reuses Dapr app id list-tasks/,
  ],
  [
    "GET routed nowhere",
    edit("HTTPRoute", "get-task", ["spec", "rules", 0, "matches", 0, "method"], "PUT"),
    /get-task: GET \/api\/sample-1\/tasks\/sample-1 must route to Service get-task alone/,
  ],
  [
    "a cron binding scoped to another app",
    edit("Component", "reminder-cron", ["scopes"], ["relay-outbox"]),
    /Component reminder-cron is scoped to \[relay-outbox\]/,
  ],
  [
    "a topic labelled for another Kafka",
    edit("KafkaTopic", "reminders", ["metadata", "labels", "strimzi.io/cluster"], "other"),
    /KafkaTopic\/reminders in taskfn: strimzi.io\/cluster other names no rendered Kafka/,
  ],
  ["an HTTP function without an autoscaler", remove("HorizontalPodAutoscaler", "update-task"), /update-task: no HorizontalPodAutoscaler/],
  ["a committed Secret", (m) => void m.push({ apiVersion: "v1", kind: "Secret", metadata: { name: "taskfn-database" } }), /commits a Secret/],
  [
    "a route on the plain HTTP listener",
    edit("HTTPRoute", "get-task", ["spec", "parentRefs", 0, "sectionName"], "http"),
    /HTTPRoute\/get-task in taskfn attaches to \[http\], not to the HTTPS listener alone/,
  ],
  [
    "a route on every listener",
    edit("HTTPRoute", "create-task", ["spec", "parentRefs", 0, "sectionName"], undefined),
    /HTTPRoute\/create-task in taskfn attaches to \[\], not to the HTTPS listener alone/,
  ],
  ["no HTTP→HTTPS redirect", remove("HTTPRoute", "https-redirect"), /no HTTPRoute redirects plain HTTP to HTTPS/],
  ["a Gateway without TLS", edit("Gateway", "taskfn", ["spec", "listeners", 1, "tls"], undefined), /Gateway\/taskfn in taskfn has no HTTPS listener with TLS/],
  ["a plain Kafka listener", edit("Kafka", "taskfn", ["spec", "kafka", "listeners", 0, "tls"], false), /listener tls is not TLS with scram-sha-512/],
  ["Kafka without ACLs", edit("Kafka", "taskfn", ["spec", "kafka", "authorization"], undefined), /no ACL authorization/],
  ["pub/sub without SASL", edit("Component", "pubsub", ["spec", "metadata", 1, "value"], "none"), /Component\/pubsub in taskfn: not SASL SCRAM-SHA-512/],
  [
    "pub/sub with TLS off",
    (m) => void (m[indexOf(m, "Component", "pubsub")]!.spec as { metadata: unknown[] }).metadata.push({ name: "disableTls", value: "true" }),
    /TLS off or no caCert/,
  ],
  [
    "a function allowed another consumer group",
    edit("KafkaUser", "send-reminder", ["spec", "authorization", "acls", 1, "resource", "name"], "on-task-completed"),
    /KafkaUser\/send-reminder in taskfn: ACL group\/on-task-completed\/literal\/Read is more than send-reminder needs/,
  ],
  [
    "a function allowed every topic",
    edit(
      "KafkaUser",
      "get-task",
      ["spec", "authorization", "acls"],
      [{ resource: { type: "topic", name: "*", patternType: "literal" }, operations: ["Write"] }],
    ),
    /ACL topic\/\*\/literal\/Write is more than get-task needs/,
  ],
  [
    "KEDA without credentials",
    edit("ScaledObject", "on-task-completed", ["spec", "triggers", 0, "authenticationRef"], undefined),
    /ScaledObject\/on-task-completed in taskfn: kafka trigger without a rendered TriggerAuthentication/,
  ],
  ["no default-deny NetworkPolicy", remove("NetworkPolicy", "default-deny"), /no default-deny NetworkPolicy/],
  [
    "a consumer open to connections",
    edit("NetworkPolicy", "on-task-completed", ["spec", "ingress"], [{}]),
    /on-task-completed: accepts connections, but only HTTP functions may/,
  ],
  [
    "an HTTP function open beyond the Gateway",
    edit("NetworkPolicy", "get-task", ["spec", "ingress", 0, "from"], undefined),
    /get-task: accepts connections from beyond the Gateway/,
  ],
  [
    "Dapr invocation allowed by default",
    edit("Configuration", "tracing", ["spec", "accessControl", "defaultAction"], "allow"),
    /its Dapr Configuration does not deny invocation by default/,
  ],
  [
    "a sidecar without seccomp",
    edit("Deployment", "get-task", ["spec", "template", "metadata", "annotations", "dapr.io/sidecar-seccomp-profile-type"], undefined),
    /Deployment\/get-task in taskfn: sidecar without the RuntimeDefault seccomp profile/,
  ],
  [
    "Pod Security only at baseline",
    edit("Namespace", "taskfn", ["metadata", "labels", "pod-security.kubernetes.io/enforce"], "baseline"),
    /Namespace\/taskfn: does not enforce the restricted Pod Security level/,
  ],
  [
    "more connections than PostgreSQL allows",
    edit("HorizontalPodAutoscaler", "list-tasks", ["spec", "maxReplicas"], 100),
    /pools × max replicas sum to \d+, over max_connections 200 less 20 headroom/,
  ],
  [
    "a pool size left unset",
    edit("Deployment", "relay-outbox", [...CONTAINER, "env", 2], { name: "LOG_LEVEL", value: "info" }),
    /relay-outbox: DATABASE_POOL_SIZE is not set/,
  ],
  [
    "Dapr's app health check on /healthz (blind to the database)",
    edit("Deployment", "on-task-completed", ["spec", "template", "metadata", "annotations", "dapr.io/app-health-check-path"], "/healthz"),
    /on-task-completed.*app health check is not on \/readyz/,
  ],
  [
    "deliveries that run out of retries before Dapr notices the database is down",
    edit("Resiliency", "taskfn", ["spec", "policies", "retries", "eventDelivery", "maxRetries"], 5),
    /Resiliency\/taskfn.*pubsub inbound retry can give up after 5\.0 s, before the app health check has surely noticed an outage \(15\.5 s \+ one probe, 20\.5 s\)/,
  ],
  ["no preStop pause", edit("Deployment", "create-task", [...CONTAINER, "lifecycle"], undefined), /create-task.*preStop sleeps 0 s/],
  [
    "a sidecar that stops before the app",
    edit("Deployment", "send-reminder", ["spec", "template", "metadata", "annotations", "dapr.io/graceful-shutdown-seconds"], "5"),
    /send-reminder.*sidecar drains for 5 s, less than/,
  ],
  [
    "a grace period shorter than the shutdown",
    edit("Deployment", "relay-outbox", ["spec", "template", "spec", "terminationGracePeriodSeconds"], 10),
    /relay-outbox.*terminationGracePeriodSeconds 10 does not outlast/,
  ],
  [
    "a database URL written inline",
    edit("Deployment", "get-task", [...CONTAINER, "env", 1], { name: "DATABASE_URL", value: "postgres://u:p@db/taskfn" }),
    /sets DATABASE_URL inline/,
  ],
];

if (!kustomize) {
  it.skip(`policies: ${missingToolMessage("kustomize")}`, () => {});
} else {
  describe("policyViolations", () => {
    let rendered: string;
    beforeAll(async () => {
      rendered = JSON.stringify(await renderOverlay(kustomize, "prod"));
    });

    it.each(CASES)("flags %s", (_name, breakIt, expected) => {
      const manifests = JSON.parse(rendered) as Manifest[];
      breakIt(manifests);
      expect(policyViolations(manifests, FUNCTIONS).join("\n")).toMatch(expected);
    });
  });
}
