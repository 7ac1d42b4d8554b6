/**
 * The stop and health settings of every function's pod agree with the runtime
 * (runtime/lifecycle.ts): Dapr's app health check watches readiness, the app
 * gets its preStop pause and its shutdown deadline, the sidecar stays up for
 * both, and Kubernetes waits for all of it before it kills anything.
 */
import type { IDeployment } from "kubernetes-models/apps/v1";
import { APP_HEALTH_CHECK, PRE_STOP_SLEEP_SECONDS, SHUTDOWN_DEADLINE_SECONDS } from "../runtime/lifecycle.js";
import { describe, type Manifest, ofKind } from "./manifest.js";

function deploymentViolations(deployment: IDeployment & Manifest): string[] {
  const template = deployment.spec?.template;
  const annotations = template?.metadata?.annotations ?? {};
  if (annotations["dapr.io/enabled"] !== "true") return [];
  const problems: string[] = [];
  const app = template?.spec?.containers?.[0];
  if (annotations["dapr.io/enable-app-health-check"] !== "true" || annotations["dapr.io/app-health-check-path"] !== APP_HEALTH_CHECK.path) {
    problems.push(`Dapr's app health check is not on ${APP_HEALTH_CHECK.path}: events would be retried into the dead-letter topic while the database is down`);
  }
  if (app?.readinessProbe?.httpGet?.path !== APP_HEALTH_CHECK.path) problems.push(`readiness probe is not ${APP_HEALTH_CHECK.path}`);
  const preStop = app?.lifecycle?.preStop?.sleep?.seconds ?? 0;
  if (preStop < PRE_STOP_SLEEP_SECONDS)
    problems.push(`preStop sleeps ${preStop} s, less than ${PRE_STOP_SLEEP_SECONDS} s: requests still arrive after SIGTERM`);
  const appDone = preStop + SHUTDOWN_DEADLINE_SECONDS;
  const sidecar = Number(annotations["dapr.io/graceful-shutdown-seconds"] ?? 5);
  if (sidecar < appDone)
    problems.push(`sidecar drains for ${sidecar} s, less than the app's preStop + shutdown deadline (${appDone} s): its last publishes would fail`);
  const grace = template?.spec?.terminationGracePeriodSeconds ?? 30;
  if (grace <= Math.max(sidecar, appDone))
    problems.push(`terminationGracePeriodSeconds ${grace} does not outlast the shutdown (${Math.max(sidecar, appDone)} s)`);
  return problems.map((problem) => `${describe(deployment)}: ${problem}`);
}

export function lifecycleViolations(manifests: readonly Manifest[]): string[] {
  return ofKind<IDeployment>(manifests, "Deployment").flatMap(deploymentViolations);
}
