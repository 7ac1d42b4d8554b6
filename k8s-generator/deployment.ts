/**
 * The Deployment of one function: its container (the runtime/config.ts
 * environment, probes on the runtime's /healthz and /readyz, restricted
 * security) and the Dapr sidecar it asks for through annotations.
 */
import { Deployment } from "kubernetes-models/apps/v1";
import type { IEnvVar } from "kubernetes-models/v1";
import { APP_HEALTH_CHECK, DAPR_GRACEFUL_SHUTDOWN_SECONDS, PRE_STOP_SLEEP_SECONDS, TERMINATION_GRACE_PERIOD_SECONDS } from "../runtime/lifecycle.js";
import type { FunctionDefinition } from "../runtime/types.js";
import { labelsOf, selectorOf } from "./labels.js";
import { containerSecurityContext, podSecurityContext, tmpMount, tmpVolume } from "./pod-security.js";
import {
  APP_PORT,
  APP_RESOURCES,
  AUTH_CONFIG_MAP,
  BINDING_REPLICAS,
  DAPR_CONFIGURATION,
  DATABASE_POOL_SIZE,
  IMAGE_TAG,
  KAFKA_PASSWORD_ENV,
  SECRETS,
  SIDECAR_RESOURCES,
  imageName,
} from "./settings.js";

/** DATABASE_URL from its Secret: the one variable the functions and the migration Job share. */
export const databaseUrlEnv: IEnvVar = {
  name: "DATABASE_URL",
  valueFrom: { secretKeyRef: { name: SECRETS.database.name, key: SECRETS.database.key } },
};

function configValue(name: string): IEnvVar {
  return { name, valueFrom: { configMapKeyRef: { name: AUTH_CONFIG_MAP, key: name, optional: true } } };
}

/** HTTP functions refuse to start without AUTH_JWT_SECRET or AUTH_JWKS_URL; the overlay decides which. */
const authEnv: IEnvVar[] = [
  configValue("AUTH_JWKS_URL"),
  configValue("AUTH_ISSUER"),
  configValue("AUTH_AUDIENCE"),
  { name: "AUTH_JWT_SECRET", valueFrom: { secretKeyRef: { name: SECRETS.jwtSecret.name, key: SECRETS.jwtSecret.key, optional: true } } },
];

/**
 * `dapr.io/env-from-secret` of a function's sidecar: its own KafkaUser's
 * password (Strimzi's Secret is named after the user, the app id), plus what
 * an optional component adds (k8s/components/, which rewrites this annotation).
 */
export function sidecarSecretEnv(appId: string, extra: readonly string[] = []): string {
  return [`${KAFKA_PASSWORD_ENV}=${appId}:password`, ...extra].join(",");
}

function daprAnnotations(definition: FunctionDefinition): Record<string, string> {
  return {
    "dapr.io/enabled": "true",
    "dapr.io/app-id": definition.appId,
    "dapr.io/app-port": String(APP_PORT),
    "dapr.io/app-protocol": "http",
    "dapr.io/config": DAPR_CONFIGURATION,
    // The injector puts these Secrets' `token` into DAPR_API_TOKEN / APP_API_TOKEN,
    // which runtime/config.ts reads: app and sidecar authenticate each other.
    "dapr.io/api-token-secret": SECRETS.daprApiToken,
    "dapr.io/app-token-secret": SECRETS.appApiToken,
    // The sidecar stops delivering events and ticks while the app is not ready (its database is unreachable).
    "dapr.io/enable-app-health-check": "true",
    "dapr.io/app-health-check-path": APP_HEALTH_CHECK.path,
    "dapr.io/app-health-probe-interval": String(APP_HEALTH_CHECK.probeIntervalSeconds),
    "dapr.io/app-health-probe-timeout": String(APP_HEALTH_CHECK.probeTimeoutMs),
    "dapr.io/app-health-threshold": String(APP_HEALTH_CHECK.threshold),
    // Stays up for the app's in-flight work after SIGTERM (see runtime/lifecycle.ts).
    "dapr.io/graceful-shutdown-seconds": String(DAPR_GRACEFUL_SHUTDOWN_SECONDS),
    "dapr.io/log-as-json": "true",
    // The restricted Pod Security level covers the injected sidecar too; the
    // injector drops its capabilities (k8s/README.md: sidecarDropALLCapabilities).
    "dapr.io/sidecar-seccomp-profile-type": "RuntimeDefault",
    "dapr.io/env-from-secret": sidecarSecretEnv(definition.appId),
    "dapr.io/sidecar-cpu-request": SIDECAR_RESOURCES.requests.cpu,
    "dapr.io/sidecar-memory-request": SIDECAR_RESOURCES.requests.memory,
    "dapr.io/sidecar-cpu-limit": SIDECAR_RESOURCES.limits.cpu,
    "dapr.io/sidecar-memory-limit": SIDECAR_RESOURCES.limits.memory,
  };
}

/**
 * HPA (HTTP) and KEDA (topic) own the replica count of their Deployments: a
 * `replicas` field here would reset it on every apply.
 */
function fixedReplicas(definition: FunctionDefinition): number | undefined {
  return definition.trigger.kind === "binding" ? BINDING_REPLICAS : undefined;
}

export function deploymentOf(definition: FunctionDefinition): Deployment {
  const { appId } = definition;
  const env: IEnvVar[] = [
    { name: "PORT", value: String(APP_PORT) },
    databaseUrlEnv,
    // Many small pools share one PostgreSQL: the connection budget in settings.ts.
    { name: "DATABASE_POOL_SIZE", value: String(DATABASE_POOL_SIZE) },
    { name: "LOG_LEVEL", value: "info" },
    ...(definition.trigger.kind === "http" ? authEnv : []),
  ];
  return new Deployment({
    metadata: { name: appId, labels: labelsOf(appId, "function") },
    spec: {
      replicas: fixedReplicas(definition),
      selector: { matchLabels: selectorOf(appId) },
      template: {
        metadata: { labels: labelsOf(appId, "function"), annotations: daprAnnotations(definition) },
        spec: {
          terminationGracePeriodSeconds: TERMINATION_GRACE_PERIOD_SECONDS,
          securityContext: podSecurityContext,
          containers: [
            {
              name: "function",
              image: `${imageName(appId)}:${IMAGE_TAG}`,
              ports: [{ name: "http", containerPort: APP_PORT }],
              env,
              resources: APP_RESOURCES,
              livenessProbe: { httpGet: { path: "/healthz", port: "http" }, periodSeconds: 10, failureThreshold: 3 },
              // /readyz checks the database: a pod that cannot reach it leaves the Service.
              readinessProbe: { httpGet: { path: APP_HEALTH_CHECK.path, port: "http" }, periodSeconds: 5, failureThreshold: 2 },
              // New requests stop arriving before the app's SIGTERM; it then finishes what it has.
              lifecycle: { preStop: { sleep: { seconds: PRE_STOP_SLEEP_SECONDS } } },
              securityContext: containerSecurityContext,
              volumeMounts: [tmpMount],
            },
          ],
          volumes: [tmpVolume],
        },
      },
    },
  });
}
