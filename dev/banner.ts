/**
 * What `npm start` prints once everything answers: where to go, what runs,
 * and a request to paste.
 */
import { eventTypesOf } from "../runtime/topic-trigger.js";
import type { FunctionDefinition } from "../runtime/types.js";

export interface BannerInput {
  gatewayUrl: string;
  sidecarUrl: string;
  functions: readonly FunctionDefinition[];
  portOf(definition: FunctionDefinition): number;
  demoToken: string;
  readyMs: number;
}

function describeTrigger({ trigger }: FunctionDefinition): string {
  switch (trigger.kind) {
    case "http":
      return `${trigger.method.toUpperCase().padEnd(6)} ${trigger.path}`;
    case "topic":
      return `topic  ${trigger.topic} (${eventTypesOf(trigger).join(", ")})`;
    case "binding":
      return `cron   ${trigger.binding}`;
  }
}

export function formatBanner({ gatewayUrl, sidecarUrl, functions, portOf, demoToken, readyMs }: BannerInput): string {
  const width = Math.max(...functions.map((f) => f.appId.length));
  const triggerWidth = Math.max(...functions.map((f) => describeTrigger(f).length));
  const rows = functions.map((f) => `    ${f.appId.padEnd(width)}  ${describeTrigger(f).padEnd(triggerWidth)}  :${portOf(f)}`);
  return [
    "",
    `taskfn is ready in ${(readyMs / 1000).toFixed(1)} s → ${gatewayUrl}`,
    "",
    `  API docs       ${gatewayUrl}/docs   (OpenAPI 3.1: ${gatewayUrl}/openapi.json)`,
    `  Dapr stand-in  ${sidecarUrl}   (in-memory pub/sub and cron, from dapr/)`,
    "  Functions",
    ...rows,
    "",
    '  Create a task as user "demo" (token valid 12 h; another user: npm run token -- <userId>):',
    `    curl -i -X POST ${gatewayUrl}/api/demo/tasks \\`,
    `      -H "Authorization: Bearer ${demoToken}" \\`,
    `      -H "Content-Type: application/json" \\`,
    `      -d '{"title":"Try taskfn","priority":"high"}'`,
    "",
    "  Ctrl-C stops everything.",
    "",
  ].join("\n");
}
