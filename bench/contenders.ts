/** How each server under test is started. */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { benchBundle } from "./bundle.js";
import type { ServerDefinition } from "./context.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const GCF_CLI = join(ROOT, "node_modules", "@google-cloud", "functions-framework", "build", "src", "main.js");
const noDb = (on: boolean): Record<string, string> => (on ? { BENCH_NO_DB: "1" } : {});

export const NAMES = {
  taskfn: "taskfn",
  candidate: "taskfn candidate",
  limit: "node:http + pg (limit)",
  daprSdk: "@dapr/dapr DaprServer",
  gcf: "functions-framework",
  bare: "bare node:http",
} as const;

/** How the Dockerfile's CMD runs a function: `node index.mjs`, no flags. */
export const PRODUCTION_NODE_FLAGS: string[] = [];

/** The real built bundle, as `node index.mjs` runs it. */
export function taskfnFunction(
  appId: string,
  bundle = join(ROOT, "dist", appId, "index.mjs"),
  flags = PRODUCTION_NODE_FLAGS,
  node = process.execPath,
): ServerDefinition {
  return { name: appId, command: node, args: [...flags, bundle], healthPath: "/healthz", readyPath: "/readyz" };
}

/** The function started from its startup snapshot, as the image's CMD does; `node` must be the one that built the blob. */
export function taskfnSnapshot(appId: string, blob: string, node: string): ServerDefinition {
  return { name: `${appId} from snapshot`, command: node, args: ["--snapshot-blob", blob], healthPath: "/healthz", readyPath: "/readyz" };
}

export function taskfnEventNoDb(bundle = benchBundle("taskfn-event-nodb"), flags = PRODUCTION_NODE_FLAGS): ServerDefinition {
  return { name: `${NAMES.taskfn} (no DB)`, command: process.execPath, args: [...flags, bundle], healthPath: "/healthz" };
}

export function rawEvent(withoutDb: boolean, node = process.execPath): ServerDefinition {
  return { name: NAMES.limit, command: node, args: [benchBundle("raw-event")], healthPath: "/healthz", readyPath: "/readyz", env: noDb(withoutDb) };
}

/** DaprServer has no health route of its own: /dapr/subscribe is what daprd calls first. */
export function daprSdkEvent(withoutDb: boolean): ServerDefinition {
  return { name: NAMES.daprSdk, command: process.execPath, args: [benchBundle("dapr-sdk-event")], healthPath: "/dapr/subscribe", env: noDb(withoutDb) };
}

/** Started by the framework's own CLI, as its users do. */
export function gcfEvent(withoutDb: boolean): ServerDefinition {
  return {
    name: NAMES.gcf,
    command: process.execPath,
    args: [GCF_CLI, "--target=onTaskCompleted", `--source=${benchBundle("gcf-event")}`],
    healthPath: "/healthz",
    readyPath: "/readyz",
    env: noDb(withoutDb),
  };
}

export function rawHttp(): ServerDefinition {
  return { name: NAMES.limit, command: process.execPath, args: [benchBundle("raw-http")], healthPath: "/healthz" };
}

export function bare(node = process.execPath): ServerDefinition {
  return { name: NAMES.bare, command: node, args: [benchBundle("bare")], healthPath: "/healthz" };
}
