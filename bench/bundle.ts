/**
 * Bundles the servers under test with the options toolkit/build.ts uses for the
 * functions, so every contender runs as one `node x.mjs` file. The frameworks
 * that users run from node_modules (@dapr/dapr, the functions framework) stay
 * external, which is also why the output lives inside the repository's tree.
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { NODE_BUNDLE_OPTIONS } from "../toolkit/build.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
export const BENCH_OUT = join(ROOT, "node_modules", ".cache", "taskfn-bench");

export const BENCH_SERVERS = ["bare", "raw-event", "raw-http", "taskfn-event-nodb", "dapr-sdk-event", "gcf-event"] as const;
export type BenchServer = (typeof BENCH_SERVERS)[number] | "sidecar-stub";

export function benchBundle(name: BenchServer): string {
  return join(BENCH_OUT, `${name}.mjs`);
}

/** `root`: a repository checkout (a patched copy, for a candidate build); `names`: which servers. */
export async function bundleBenchServers(root = ROOT, outdir = BENCH_OUT, names: readonly BenchServer[] = [...BENCH_SERVERS, "sidecar-stub"]): Promise<void> {
  await build({
    ...NODE_BUNDLE_OPTIONS,
    absWorkingDir: root,
    entryPoints: names.map((name) => ({ in: join("bench", name === "sidecar-stub" ? "" : "servers", `${name}.ts`), out: name })),
    outdir,
    external: ["@dapr/dapr", "@google-cloud/functions-framework"],
  });
}
