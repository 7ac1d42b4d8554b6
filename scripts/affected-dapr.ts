/**
 * Sidecars read their Dapr components, resiliency and Configuration when they
 * start: a change to one is applied to the cluster, but only reaches a
 * running app when its pod restarts. These are the apps that load a changed
 * resource (its scopes, or every app when it has none).
 */
import { parseAllDocuments } from "yaml";

interface DaprResource {
  apiVersion?: string;
  kind?: string;
  scopes?: string[];
}

/** `text` of each changed file (at HEAD, or at the base when HEAD deleted it). */
export function sidecarsToRestart(changed: readonly { path: string; text: string }[], appIds: readonly string[]): string[] {
  const restart = new Set<string>();
  for (const { path, text } of changed) {
    if (!/^k8s\/.*\.ya?ml$/.test(path)) continue; // dapr/ reaches the cluster through k8s/base/generated/dapr
    for (const document of parseAllDocuments(text)) {
      const resource = document.toJS() as DaprResource | null;
      if (!resource?.apiVersion?.startsWith("dapr.io/")) continue;
      const scopes = resource.kind === "Configuration" ? [] : (resource.scopes ?? []);
      for (const appId of scopes.length > 0 ? scopes : appIds) restart.add(appId);
    }
  }
  return appIds.filter((appId) => restart.has(appId));
}
