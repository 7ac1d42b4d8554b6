/**
 * NetworkPolicies: nothing in the namespace talks to anything unless allowed
 * here. A function (and its sidecar, which shares the pod's network) reaches
 * DNS, Kafka's TLS listener, PostgreSQL, Dapr's control plane and the trace
 * collector; an HTTP function also accepts the Gateway's proxies and reaches
 * HTTPS (its identity provider's JWKS). Strimzi writes the policies in front
 * of its own pods.
 */
import type { FunctionDefinition } from "../runtime/types.js";
import { labelsOf, selectorOf } from "./labels.js";
import { APP_PORT, DATABASE_PORT, KAFKA_CLUSTER, KAFKA_TLS_PORT, MIGRATE, PEER_NAMESPACES } from "./settings.js";

interface Peer {
  podSelector?: { matchLabels: Record<string, string> };
  namespaceSelector?: { matchLabels: Record<string, string> };
  ipBlock?: { cidr: string };
}
interface Rule {
  to?: Peer[];
  from?: Peer[];
  ports?: { protocol: "TCP" | "UDP"; port: number }[];
}

const inNamespace = (name: string): Peer => ({ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": name } } });
const tcp = (...ports: number[]) => ports.map((port) => ({ protocol: "TCP" as const, port }));

/** Anywhere: PostgreSQL is a managed database whose address the overlay knows (k8s/README.md). */
export const ANYWHERE: Peer = { ipBlock: { cidr: "0.0.0.0/0" } };

const DNS: Rule = { to: [inNamespace("kube-system")], ports: [{ protocol: "UDP", port: 53 }, ...tcp(53)] };
const DATABASE: Rule = { to: [ANYWHERE], ports: tcp(DATABASE_PORT) };
const KAFKA: Rule = { to: [{ podSelector: { matchLabels: { "strimzi.io/cluster": KAFKA_CLUSTER, "strimzi.io/kind": "Kafka" } } }], ports: tcp(KAFKA_TLS_PORT) };
// Sentry, operator, placement and scheduler behind their Services' ports.
const DAPR: Rule = { to: [inNamespace(PEER_NAMESPACES.dapr)], ports: tcp(443, 80, 50001, 50005, 50006, 6500) };
const TRACES: Rule = { to: [inNamespace(PEER_NAMESPACES.observability)], ports: tcp(4317) };
export const HTTPS_OUT: Rule = { to: [ANYWHERE], ports: tcp(443) };

function policy(name: string, podSelector: Record<string, string>, labels: Record<string, string>, ingress: Rule[], egress: Rule[]): unknown {
  return {
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: { name, labels },
    // No `ingress` at all (not an empty list, which the API server drops) denies every connection in.
    spec: { podSelector: { matchLabels: podSelector }, policyTypes: ["Ingress", "Egress"], ...(ingress.length > 0 ? { ingress } : {}), egress },
  };
}

export function networkPolicyOf({ appId, trigger }: FunctionDefinition): unknown {
  const http = trigger.kind === "http";
  const fromGateway: Rule = { from: [inNamespace(PEER_NAMESPACES.gateway)], ports: tcp(APP_PORT) };
  return policy(appId, selectorOf(appId), labelsOf(appId, "function"), http ? [fromGateway] : [], [
    DNS,
    KAFKA,
    DATABASE,
    DAPR,
    TRACES,
    ...(http ? [HTTPS_OUT] : []),
  ]);
}

export function migrateNetworkPolicy(): unknown {
  return policy(MIGRATE, selectorOf(MIGRATE), labelsOf(MIGRATE, "migration"), [], [DNS, DATABASE]);
}

/** An optional component whose binding calls out over HTTPS: its apps' extra egress. */
export function httpsEgressPolicy(name: string, appIds: readonly string[]): unknown {
  return {
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: { name },
    spec: {
      podSelector: { matchExpressions: [{ key: "app.kubernetes.io/name", operator: "In", values: [...appIds] }] },
      policyTypes: ["Egress"],
      egress: [HTTPS_OUT],
    },
  };
}

/** Deny by default; Strimzi's pods (brokers, entity operator) keep their egress to each other and the API server. */
export function namespacePolicies(): unknown[] {
  return [
    {
      apiVersion: "networking.k8s.io/v1",
      kind: "NetworkPolicy",
      metadata: { name: "default-deny" },
      spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"] },
    },
    {
      apiVersion: "networking.k8s.io/v1",
      kind: "NetworkPolicy",
      metadata: { name: "strimzi-egress" },
      spec: { podSelector: { matchLabels: { "strimzi.io/cluster": KAFKA_CLUSTER } }, policyTypes: ["Egress"], egress: [{}] },
    },
  ];
}
