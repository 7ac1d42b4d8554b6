/**
 * Rules every workload must follow, whatever produced it: pinned images,
 * requests and limits, the restricted security settings, probes, and a Dapr
 * sidecar configured the way the runtime expects (unique app id, tokens).
 */
import type { IDeployment } from "kubernetes-models/apps/v1";
import type { IJob } from "kubernetes-models/batch/v1";
import type { IContainer, IPodTemplateSpec } from "kubernetes-models/v1";
import { describe, type Manifest, ofKind } from "./manifest.js";

/** `repo/name:tag` or `…@sha256:…`; no tag means `latest`. */
function imageViolation(image: string | undefined): string | undefined {
  if (!image) return "has no image";
  if (image.includes("@")) return undefined;
  const name = image.slice(image.lastIndexOf("/") + 1);
  const tag = name.includes(":") ? name.slice(name.indexOf(":") + 1) : undefined;
  if (!tag) return `image ${image} has no tag (pulls latest)`;
  if (tag === "latest") return `image ${image} uses the latest tag`;
  return undefined;
}

function containerViolations(container: IContainer, podRunsAsNonRoot: boolean): string[] {
  const problems: string[] = [];
  const image = imageViolation(container.image);
  if (image) problems.push(image);
  const { requests, limits } = container.resources ?? {};
  for (const resource of ["cpu", "memory"]) {
    if (!requests?.[resource]) problems.push(`has no ${resource} request`);
    if (!limits?.[resource]) problems.push(`has no ${resource} limit`);
  }
  const security = container.securityContext ?? {};
  if (!podRunsAsNonRoot && security.runAsNonRoot !== true) problems.push("may run as root (runAsNonRoot is not true)");
  if (security.runAsUser === 0) problems.push("runs as uid 0");
  if (security.allowPrivilegeEscalation !== false) problems.push("allows privilege escalation");
  if (security.readOnlyRootFilesystem !== true) problems.push("has a writable root filesystem");
  if (!security.capabilities?.drop?.includes("ALL")) problems.push("does not drop ALL capabilities");
  return problems.map((problem) => `container ${container.name} ${problem}`);
}

function podViolations(template: IPodTemplateSpec | undefined): string[] {
  const spec = template?.spec;
  if (!spec) return ["has no pod template"];
  const pod = spec.securityContext ?? {};
  const problems: string[] = [];
  const containers = [...(spec.initContainers ?? []), ...spec.containers];
  const seccomp = (type: string | undefined) => type === "RuntimeDefault" || type === "Localhost";
  if (!seccomp(pod.seccompProfile?.type) && !containers.every((c) => seccomp(c.securityContext?.seccompProfile?.type))) {
    problems.push("has no RuntimeDefault seccomp profile");
  }
  if (pod.runAsUser === 0) problems.push("runs as uid 0");
  return [...problems, ...containers.flatMap((container) => containerViolations(container, pod.runAsNonRoot === true))];
}

const REQUIRED_DAPR_ANNOTATIONS = [
  "dapr.io/app-id",
  "dapr.io/app-port",
  "dapr.io/app-protocol",
  "dapr.io/config",
  "dapr.io/api-token-secret",
  "dapr.io/app-token-secret",
  "dapr.io/sidecar-cpu-limit",
  "dapr.io/sidecar-memory-limit",
];

function deploymentViolations(deployment: Manifest & IDeployment): string[] {
  const template = deployment.spec?.template;
  const problems = podViolations(template);
  for (const container of template?.spec?.containers ?? []) {
    if (!container.livenessProbe) problems.push(`container ${container.name} has no liveness probe`);
    if (!container.readinessProbe) problems.push(`container ${container.name} has no readiness probe`);
  }
  const annotations = template?.metadata?.annotations ?? {};
  if (annotations["dapr.io/enabled"] !== "true") problems.push("has no Dapr sidecar (dapr.io/enabled)");
  for (const name of REQUIRED_DAPR_ANNOTATIONS) if (!annotations[name]) problems.push(`lacks the ${name} annotation`);
  const ports = (template?.spec?.containers ?? []).flatMap((c) => c.ports ?? []).map((p) => String(p.containerPort));
  const appPort = annotations["dapr.io/app-port"];
  if (appPort && !ports.includes(appPort)) problems.push(`dapr.io/app-port ${appPort} is not a container port`);
  return problems.map((problem) => `${describe(deployment)} ${problem}`);
}

/** Dapr app ids address apps and name consumer groups: two Deployments must never share one in a namespace. */
function duplicateAppIds(deployments: readonly (Manifest & IDeployment)[]): string[] {
  const seen = new Map<string, string>();
  const problems: string[] = [];
  for (const deployment of deployments) {
    const appId = deployment.spec?.template.metadata?.annotations?.["dapr.io/app-id"];
    if (!appId) continue;
    const key = `${deployment.metadata.namespace ?? ""}/${appId}`;
    const first = seen.get(key);
    if (first) problems.push(`${describe(deployment)} reuses Dapr app id ${appId} of ${first}`);
    else seen.set(key, describe(deployment));
  }
  return problems;
}

const SECRET_NAME = /SECRET|TOKEN|PASSWORD|DATABASE_URL/i;

/** Secrets are created in the cluster (k8s/README.md) and only referenced here. */
function secretViolations(manifests: readonly Manifest[], templates: readonly [Manifest, IPodTemplateSpec | undefined][]): string[] {
  const committed = manifests.filter((manifest) => manifest.kind === "Secret").map((secret) => `${describe(secret)} commits a Secret`);
  const literal = templates.flatMap(([owner, template]) =>
    (template?.spec?.containers ?? []).flatMap((container) =>
      (container.env ?? [])
        .filter((env) => SECRET_NAME.test(env.name) && env.value !== undefined)
        .map((env) => `${describe(owner)} sets ${env.name} inline instead of from a Secret`),
    ),
  );
  return [...committed, ...literal];
}

export function workloadViolations(manifests: readonly Manifest[]): string[] {
  const deployments = ofKind<IDeployment>(manifests, "Deployment");
  const jobs = ofKind<IJob>(manifests, "Job");
  const templates: [Manifest, IPodTemplateSpec | undefined][] = [...deployments, ...jobs].map((owner) => [owner, owner.spec?.template]);
  return [
    ...secretViolations(manifests, templates),
    ...deployments.flatMap(deploymentViolations),
    ...duplicateAppIds(deployments),
    ...jobs.flatMap((job) => podViolations(job.spec?.template).map((problem) => `${describe(job)} ${problem}`)),
  ];
}
