/**
 * Dapr `Component` resources: name, type, resolved metadata and scopes.
 */
import { z } from "zod";
import type { ResourceDocument } from "./resources.js";

export interface Component {
  name: string;
  /** e.g. `pubsub.kafka`, `bindings.cron`. */
  type: string;
  version: string;
  metadata: Record<string, string>;
  /** App ids that load the component; empty means every app. */
  scopes: string[];
}

const ComponentResource = z.object({
  metadata: z.object({ name: z.string().min(1) }),
  spec: z.object({
    type: z.string().min(1),
    version: z.string(),
    metadata: z
      .array(
        z.object({
          name: z.string(),
          value: z.unknown().optional(),
          envRef: z.string().optional(),
          secretKeyRef: z.object({ name: z.string() }).optional(),
        }),
      )
      .default([]),
  }),
  scopes: z.array(z.string()).default([]),
});

type Env = Record<string, string | undefined>;

// Dapr refuses these in envRef so a component cannot read the sidecar's own secrets.
function envRefAllowed(name: string): boolean {
  const upper = name.toUpperCase();
  return upper !== "" && upper !== "APP_API_TOKEN" && !upper.startsWith("DAPR_") && !upper.includes(" ");
}

function resolveValue(component: string, item: { name: string; value?: unknown; envRef?: string; secretKeyRef?: unknown }, env: Env): string {
  if (item.value !== undefined && item.value !== null) return typeof item.value === "string" ? item.value : JSON.stringify(item.value);
  if (item.envRef !== undefined) {
    if (!envRefAllowed(item.envRef)) throw new Error(`component ${component}: envRef ${item.envRef} is not allowed (Dapr refuses APP_API_TOKEN and DAPR_*)`);
    return env[item.envRef] ?? "";
  }
  if (item.secretKeyRef !== undefined)
    throw new Error(`component ${component}: secretKeyRef (${item.name}) needs a secret store, which the stand-in does not emulate`);
  return "";
}

export function parseComponent(doc: ResourceDocument, env: Env): Component {
  const parsed = ComponentResource.safeParse(doc.body);
  if (!parsed.success) throw new Error(`${doc.file}: not a Dapr Component: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
  const { metadata, spec, scopes } = parsed.data;
  return {
    name: metadata.name,
    type: spec.type,
    version: spec.version,
    metadata: Object.fromEntries(spec.metadata.map((item) => [item.name, resolveValue(metadata.name, item, env)])),
    scopes,
  };
}

export function isInScope(component: Component, appId: string): boolean {
  return component.scopes.length === 0 || component.scopes.includes(appId);
}
