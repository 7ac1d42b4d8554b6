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

const remove = (kind: string, name: string): Break => (manifests) => void manifests.splice(indexOf(manifests, kind, name), 1);

const CONTAINER = ["spec", "template", "spec", "containers", 0];
const KAFKA_TRIGGER = ["spec", "triggers", 0, "metadata"];

const CASES: [string, Break, RegExp][] = [
  ["a ScaledObject reading another consumer group", edit("ScaledObject", "on-task-completed", [...KAFKA_TRIGGER, "consumerGroup"], "taskfn"), /on-task-completed: ScaledObject consumerGroup is taskfn/],
  ["a ScaledObject on another topic", edit("ScaledObject", "send-reminder", [...KAFKA_TRIGGER, "topic"], "tasks"), /send-reminder: ScaledObject topic is tasks/],
  ["more consumers than partitions", edit("ScaledObject", "send-reminder", ["spec", "maxReplicaCount"], 4), /maxReplicaCount 4 exceeds the 3 partitions of reminders/],
  ["KEDA left with the NAMESPACE placeholder", edit("ScaledObject", "send-reminder", [...KAFKA_TRIGGER, "bootstrapServers"], "taskfn-kafka-bootstrap.NAMESPACE.svc:9092"), /bootstrapServers .* is not the Kafka bootstrap Service/],
  ["a missing dead-letter topic", remove("KafkaTopic", "tasks-dlq"), /topic tasks-dlq is used but has no KafkaTopic/],
  ["an image on latest", edit("Deployment", "get-task", [...CONTAINER, "image"], "taskfn/get-task:latest"), /uses the latest tag/],
  ["an untagged image", edit("Job", "taskfn-migrate", [...CONTAINER, "image"], "taskfn/migrate"), /Job\/taskfn-migrate.*has no tag/],
  ["no readiness probe", edit("Deployment", "create-task", [...CONTAINER, "readinessProbe"], undefined), /create-task in taskfn container function has no readiness probe/],
  ["no memory limit", edit("Deployment", "relay-outbox", [...CONTAINER, "resources", "limits", "memory"], undefined), /has no memory limit/],
  ["privilege escalation", edit("Deployment", "list-tasks", [...CONTAINER, "securityContext", "allowPrivilegeEscalation"], true), /allows privilege escalation/],
  ["a shared Dapr app id", edit("Deployment", "get-task", ["spec", "template", "metadata", "annotations", "dapr.io/app-id"], "list-tasks"), /reuses Dapr app id list-tasks/],
  ["GET routed nowhere", edit("HTTPRoute", "get-task", ["spec", "rules", 0, "matches", 0, "method"], "PUT"), /get-task: GET \/api\/sample-1\/tasks\/sample-1 must route to Service get-task alone/],
  ["a cron binding scoped to another app", edit("Component", "reminder-cron", ["scopes"], ["relay-outbox"]), /Component reminder-cron is scoped to \[relay-outbox\]/],
  ["a topic labelled for another Kafka", edit("KafkaTopic", "reminders", ["metadata", "labels", "strimzi.io/cluster"], "other"), /KafkaTopic\/reminders in taskfn: strimzi.io\/cluster other names no rendered Kafka/],
  ["an HTTP function without an autoscaler", remove("HorizontalPodAutoscaler", "update-task"), /update-task: no HorizontalPodAutoscaler/],
  ["a committed Secret", (m) => void m.push({ apiVersion: "v1", kind: "Secret", metadata: { name: "taskfn-database" } }), /commits a Secret/],
  ["Dapr's app health check on /healthz (blind to the database)", edit("Deployment", "on-task-completed", ["spec", "template", "metadata", "annotations", "dapr.io/app-health-check-path"], "/healthz"), /on-task-completed.*app health check is not on \/readyz/],
  ["no preStop pause", edit("Deployment", "create-task", [...CONTAINER, "lifecycle"], undefined), /create-task.*preStop sleeps 0 s/],
  ["a sidecar that stops before the app", edit("Deployment", "send-reminder", ["spec", "template", "metadata", "annotations", "dapr.io/graceful-shutdown-seconds"], "5"), /send-reminder.*sidecar drains for 5 s, less than/],
  ["a grace period shorter than the shutdown", edit("Deployment", "relay-outbox", ["spec", "template", "spec", "terminationGracePeriodSeconds"], 10), /relay-outbox.*terminationGracePeriodSeconds 10 does not outlast/],
  ["a database URL written inline", edit("Deployment", "get-task", [...CONTAINER, "env", 1], { name: "DATABASE_URL", value: "postgres://u:p@db/taskfn" }), /sets DATABASE_URL inline/],
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
