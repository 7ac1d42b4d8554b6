/**
 * The Kubernetes-only decisions the function definitions do not carry: names of
 * the shared objects, secrets, sizes and scaling numbers. Everything per
 * function (app ids, routes, topics, bindings) comes from functions/catalog.ts.
 */
import { readFileSync } from "node:fs";

/** Port every function listens on inside its container (the Dockerfile sets the same PORT). */
export const APP_PORT = 8080;

/** Images are `taskfn/<appId>:<tag>`; deploy.yml swaps in the registry and commit SHA with `kustomize edit set image`. */
export function imageName(component: string): string {
  return `taskfn/${component}`;
}

/** The committed tag is the release version, so a rendered manifest never falls back to `latest`. */
export const IMAGE_TAG: string = (JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string }).version;

/** The migration Job's name in labels, images and `npm run affected` output. */
export { MIGRATE } from "../toolkit/manifest-paths.js";

/** Strimzi names the bootstrap Service `<cluster>-kafka-bootstrap`. */
export const KAFKA_CLUSTER = "taskfn";
export const KAFKA_BOOTSTRAP_SERVICE = `${KAFKA_CLUSTER}-kafka-bootstrap`;
/** Strimzi's TLS listener; every client authenticates with SCRAM-SHA-512 as its own KafkaUser. */
export const KAFKA_TLS_PORT = 9093;
/** Strimzi keeps the cluster CA certificate (key `ca.crt`) in `<cluster>-cluster-ca-cert`. */
export const KAFKA_CLUSTER_CA = { name: `${KAFKA_CLUSTER}-cluster-ca-cert`, key: "ca.crt" } as const;
/**
 * KEDA polls Kafka from its own namespace, so it needs the namespace-qualified
 * name; each overlay replaces NAMESPACE with its namespace (kustomize replacements).
 */
export const KEDA_BOOTSTRAP_SERVERS = `${KAFKA_BOOTSTRAP_SERVICE}.NAMESPACE.svc:${KAFKA_TLS_PORT}`;
/** The KafkaUser KEDA reads consumer-group lag as (only Describe on our topics and groups). */
export const KEDA_KAFKA_USER = "taskfn-keda";
/** The TriggerAuthentication every kafka trigger uses: SCRAM as KEDA_KAFKA_USER over TLS. */
export const KEDA_TRIGGER_AUTHENTICATION = "kafka-lag-reader";
/**
 * The sidecar reads its own KafkaUser's password (Strimzi's Secret named after
 * the user, key `password`) from this variable (the pubsub component's envRef).
 */
export const KAFKA_PASSWORD_ENV = "KAFKA_PASSWORD";

export const GATEWAY_NAME = "taskfn";
/** The Gateway's listeners: routes attach to HTTPS only; HTTP only redirects. */
export const GATEWAY_LISTENERS = { http: "http", https: "https" } as const;

/**
 * Namespaces the NetworkPolicies let through (change them for another
 * installation): where Envoy Gateway runs the Gateway's proxies, Dapr's
 * control plane, KEDA, and the OpenTelemetry collector.
 */
export const PEER_NAMESPACES = { gateway: "envoy-gateway-system", dapr: "dapr-system", keda: "keda", observability: "observability" } as const;
/** PostgreSQL is outside the cluster: the port is fixed, the address is the overlay's (k8s/README.md). */
export const DATABASE_PORT = 5432;
/** Name of the Dapr Configuration every sidecar loads (dapr.io/config). */
export const DAPR_CONFIGURATION = "tracing";

/** Secrets are referenced, never committed: k8s/README.md lists the commands that create them. */
export const SECRETS = {
  database: { name: "taskfn-database", key: "url" },
  /** Dapr reads key `token` and injects DAPR_API_TOKEN / APP_API_TOKEN into the app container. */
  daprApiToken: "taskfn-dapr-api-token",
  appApiToken: "taskfn-app-api-token",
  /** Only for HS256 tokens (dev); prod verifies against AUTH_JWKS_URL from the ConfigMap. */
  jwtSecret: { name: "taskfn-auth", key: "jwt-secret" },
} as const;

/** Non-secret auth settings; each overlay generates it with its own values. */
export const AUTH_CONFIG_MAP = "taskfn-auth";

/** Prod-sized; the dev overlay patches replicas down. */
export const KAFKA_REPLICATION = { replicas: 3, minInSyncReplicas: 2 };

export const HTTP_SCALING = { minReplicas: 2, maxReplicas: 4, cpuUtilization: 70 };

/**
 * Topic consumers scale on their consumer group's lag. Zero is safe: events wait
 * in Kafka and KEDA starts a consumer as soon as any lag appears.
 */
export const CONSUMER_SCALING = { minReplicas: 0, lagThreshold: 20, activationLagThreshold: 0, pollingIntervalSeconds: 15, cooldownPeriodSeconds: 300 };

/** Cron-driven functions claim work with row locks, so two replicas only add availability. */
export const BINDING_REPLICAS = 2;

/**
 * Connections: every replica holds up to DATABASE_POOL_SIZE, so pool size ×
 * max replicas, summed over the rendered workloads (k8s/README.md has the
 * table), must stay below PostgreSQL's max_connections less a headroom for
 * the migration, operators and superuser slots. A request holds one connection
 * at a time and a pod is capped at APP_RESOURCES.limits.cpu, so a small pool
 * is enough; raise max_connections (or put PgBouncer in front) before raising these.
 */
export const DATABASE_POOL_SIZE = 2;
export const DATABASE_CONNECTION_BUDGET = { maxConnections: 200, headroom: 20 };

export const APP_RESOURCES = {
  requests: { cpu: "50m", memory: "128Mi" },
  limits: { cpu: "500m", memory: "256Mi" },
};

export const SIDECAR_RESOURCES = {
  requests: { cpu: "50m", memory: "64Mi" },
  limits: { cpu: "300m", memory: "256Mi" },
};

/** The uid/gid of the Dockerfile's final stages (numeric so runAsNonRoot can be verified). */
export const RUN_AS = 1000;
