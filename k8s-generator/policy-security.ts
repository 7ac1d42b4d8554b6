/**
 * The security model (k8s/README.md) as checks on the rendered objects: routes
 * on HTTPS only with an HTTP→HTTPS redirect, Kafka TLS + SCRAM with ACLs no
 * wider than each function's topics and group, pub/sub and KEDA authenticated,
 * default-deny NetworkPolicies, Dapr invocation denied by default, the
 * restricted Pod Security level enforced with the sidecars covered.
 */
import type { IHTTPRoute } from "@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1";
import type { IDeployment } from "kubernetes-models/apps/v1";
import type { INetworkPolicy } from "kubernetes-models/networking.k8s.io/v1";
import type { FunctionDefinition } from "../runtime/types.js";
import type { DaprComponent } from "../toolkit/dapr-sources.js";
import { type KafkaUser, kafkaUserOf } from "./kafka-users.js";
import { describe, type Manifest, ofKind } from "./manifest.js";
import type { ScaledObject } from "./scaling.js";
import { GATEWAY_LISTENERS, PEER_NAMESPACES } from "./settings.js";

type Check = (manifests: readonly Manifest[], functions: readonly FunctionDefinition[]) => string[];

const gatewayRoutes: Check = (manifests) => {
  const problems: string[] = [];
  const gateways = ofKind<{ spec: { listeners: { name: string; protocol: string; tls?: unknown }[] } }>(manifests, "Gateway");
  for (const gateway of gateways) {
    if (!gateway.spec.listeners.some((l) => l.name === GATEWAY_LISTENERS.https && l.protocol === "HTTPS" && l.tls))
      problems.push(`${describe(gateway)} has no HTTPS listener with TLS`);
  }
  let redirects = 0;
  for (const route of ofKind<IHTTPRoute>(manifests, "HTTPRoute")) {
    const sections = (route.spec.parentRefs ?? []).map((ref) => ref.sectionName);
    const redirect = (route.spec.rules ?? []).every((rule) =>
      (rule.filters ?? []).some((f) => f.type === "RequestRedirect" && f.requestRedirect?.scheme === "https"),
    );
    if (redirect && !(route.spec.rules ?? []).some((rule) => rule.backendRefs?.length)) redirects++;
    else if (sections.some((section) => section !== GATEWAY_LISTENERS.https))
      problems.push(`${describe(route)} attaches to [${sections.join(", ")}], not to the HTTPS listener alone`);
  }
  if (redirects === 0) problems.push("no HTTPRoute redirects plain HTTP to HTTPS");
  return problems;
};

interface KafkaCluster {
  spec: { kafka: { listeners: { name: string; tls: boolean; authentication?: { type: string } }[]; authorization?: { type: string } } };
}

const kafkaTransport: Check = (manifests) => {
  const problems: string[] = [];
  for (const kafka of ofKind<KafkaCluster>(manifests, "Kafka")) {
    for (const l of kafka.spec.kafka.listeners) {
      if (!l.tls || l.authentication?.type !== "scram-sha-512")
        problems.push(`${describe(kafka)}: listener ${l.name} is not TLS with scram-sha-512 authentication`);
    }
    if (kafka.spec.kafka.authorization?.type !== "simple") problems.push(`${describe(kafka)}: no ACL authorization (authorization.type simple)`);
  }
  for (const component of ofKind<DaprComponent>(manifests, "Component").filter((c) => c.spec.type === "pubsub.kafka")) {
    const items = new Map((component.spec.metadata ?? []).map((item) => [item.name, item]));
    const value = (name: string) => items.get(name)?.value;
    if (value("authType") !== "password" || value("saslMechanism") !== "SHA-512")
      problems.push(`${describe(component)}: not SASL SCRAM-SHA-512 (authType password)`);
    if (value("disableTls") === "true" || !items.get("caCert")?.secretKeyRef) problems.push(`${describe(component)}: TLS off or no caCert from a Secret`);
    const password = items.get("saslPassword");
    if (!password?.envRef && !password?.secretKeyRef) problems.push(`${describe(component)}: saslPassword not read from a Secret`);
  }
  return problems;
};

const aclKey = (acl: KafkaUser["spec"]["authorization"]["acls"][number], op: string) =>
  `${acl.resource.type}/${acl.resource.name}/${acl.resource.patternType}/${op}`;

/** A rendered user may hold no permission its function does not need (wildcards and prefixes included). */
const kafkaAcls: Check = (manifests, functions) => {
  const users = new Map(ofKind<KafkaUser>(manifests, "KafkaUser").map((u) => [u.metadata.name, u]));
  return functions.flatMap((definition) => {
    const user = users.get(definition.appId);
    if (!user) return [`${definition.appId}: no KafkaUser`];
    if (user.spec.authentication?.type !== "scram-sha-512") return [`${describe(user)}: not a SCRAM-SHA-512 user`];
    const group = definition.trigger.kind === "topic" ? definition.appId : undefined;
    const allowed = new Set(kafkaUserOf(definition, group).spec.authorization.acls.flatMap((acl) => acl.operations.map((op) => aclKey(acl, op))));
    const granted = (user.spec.authorization?.acls ?? []).flatMap((acl) => acl.operations.map((op) => aclKey(acl, op)));
    return granted.filter((key) => !allowed.has(key)).map((key) => `${describe(user)}: ACL ${key} is more than ${definition.appId} needs`);
  });
};

const kedaAuth: Check = (manifests) => {
  const auths = new Set(ofKind(manifests, "TriggerAuthentication").map((a) => a.metadata.name));
  return ofKind<ScaledObject>(manifests, "ScaledObject").flatMap((scaled) =>
    scaled.spec.triggers
      .filter((t) => !t.authenticationRef || !auths.has(t.authenticationRef.name))
      .map(() => `${describe(scaled)}: kafka trigger without a rendered TriggerAuthentication`),
  );
};

const networkPolicies: Check = (manifests, functions) => {
  const policies = ofKind<INetworkPolicy>(manifests, "NetworkPolicy");
  const problems: string[] = [];
  const denyAll = policies.some(
    (p) =>
      Object.keys(p.spec?.podSelector ?? {}).length === 0 &&
      (["Ingress", "Egress"] as const).every((t) => p.spec?.policyTypes?.includes(t)) &&
      !p.spec?.ingress &&
      !p.spec?.egress,
  );
  if (!denyAll) problems.push("no default-deny NetworkPolicy (empty podSelector, Ingress and Egress, no rules)");
  for (const definition of functions) {
    const own = policies.filter((p) => p.spec?.podSelector?.matchLabels?.["app.kubernetes.io/name"] === definition.appId);
    const sources = own.flatMap((p) => p.spec?.ingress ?? []).flatMap((rule) => rule.from ?? [{}]);
    const gatewayOnly = sources.every(
      (peer) => peer.namespaceSelector?.matchLabels?.["kubernetes.io/metadata.name"] === PEER_NAMESPACES.gateway && !peer.podSelector && !peer.ipBlock,
    );
    if (definition.trigger.kind !== "http" && sources.length > 0) problems.push(`${definition.appId}: accepts connections, but only HTTP functions may`);
    else if (!gatewayOnly) problems.push(`${definition.appId}: accepts connections from beyond the Gateway`);
  }
  return problems;
};

const daprAndPods: Check = (manifests) => {
  const problems: string[] = [];
  const configs = new Map(ofKind<{ spec: { accessControl?: { defaultAction?: string } } }>(manifests, "Configuration").map((c) => [c.metadata.name, c]));
  for (const deployment of ofKind<IDeployment>(manifests, "Deployment")) {
    const annotations = deployment.spec?.template.metadata?.annotations ?? {};
    const config = configs.get(annotations["dapr.io/config"] ?? "");
    if (config?.spec.accessControl?.defaultAction !== "deny")
      problems.push(`${describe(deployment)}: its Dapr Configuration does not deny invocation by default`);
    if (annotations["dapr.io/sidecar-seccomp-profile-type"] !== "RuntimeDefault")
      problems.push(`${describe(deployment)}: sidecar without the RuntimeDefault seccomp profile`);
  }
  for (const namespace of ofKind(manifests, "Namespace")) {
    if (namespace.metadata.labels?.["pod-security.kubernetes.io/enforce"] !== "restricted")
      problems.push(`${describe(namespace)}: does not enforce the restricted Pod Security level`);
  }
  return problems;
};

export function securityViolations(manifests: readonly Manifest[], functions: readonly FunctionDefinition[]): string[] {
  return [gatewayRoutes, kafkaTransport, kafkaAcls, kedaAuth, networkPolicies, daprAndPods].flatMap((check) => check(manifests, functions));
}
