/**
 * How a function process is watched and stopped, in one place: the runtime
 * serves and honours these, and every place that starts a sidecar or a pod
 * derives its settings from them (toolkit/daprd.ts, dev/dapr-stand-in/app-health.ts,
 * dapr/dapr.yaml, k8s-generator/deployment.ts; policy tests check they agree).
 */

/**
 * Dapr's app health check. The path is readiness, which checks the database: while
 * it fails, daprd unsubscribes from every topic and stops the input bindings, so
 * events wait in Kafka instead of burning their retries into a dead-letter topic.
 */
export const APP_HEALTH_CHECK = {
  path: "/readyz",
  probeIntervalSeconds: 5,
  probeTimeoutMs: 500,
  /** Consecutive failures before the app counts as unhealthy. */
  threshold: 3,
} as const;

/** After SIGTERM, in-flight requests and deliveries have this long to finish; then the process exits. */
export const SHUTDOWN_DEADLINE_SECONDS = 10;

/**
 * In Kubernetes the app waits this long after termination starts, before its
 * SIGTERM, so the endpoints controller and gateways stop sending it new requests.
 */
export const PRE_STOP_SLEEP_SECONDS = 5;

/**
 * daprd gets SIGTERM when termination starts (it has no preStop): it stops taking
 * deliveries at once and stays up for the app's in-flight work, which may still
 * publish, until the app's own deadline has passed.
 */
export const DAPR_GRACEFUL_SHUTDOWN_SECONDS = PRE_STOP_SLEEP_SECONDS + SHUTDOWN_DEADLINE_SECONDS;

/** Kubernetes kills what is still running after this: everything above, plus a margin. */
export const TERMINATION_GRACE_PERIOD_SECONDS = DAPR_GRACEFUL_SHUTDOWN_SECONDS + 5;
