/**
 * Bundles the servers under test with the options scripts/build.ts uses for the
 * functions, so every contender runs as one `node x.mjs` file. The frameworks
 * that users run from node_modules (@dapr/dapr, the functions framework) stay
 * external, which is also why the output lives inside the repository's tree.
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
export const BENCH_OUT = join(ROOT, "node_modules", ".cache", "taskfn-bench");

const REQUIRE_SHIM = 'import { createRequire as __createRequire } from "node:module";\nconst require = __createRequire(import.meta.url);';

export const BENCH_SERVERS = ["bare", "raw-event", "raw-http", "taskfn-event-nodb", "dapr-sdk-event", "gcf-event"] as const;
export type BenchServer = (typeof BENCH_SERVERS)[number] | "sidecar-stub";

export function benchBundle(name: BenchServer): string {
  return join(BENCH_OUT, `${name}.mjs`);
}

/** `root`: a repository checkout (a patched copy, for a candidate build); `names`: which servers. */
export async function bundleBenchServers(root = ROOT, outdir = BENCH_OUT, names: readonly BenchServer[] = [...BENCH_SERVERS, "sidecar-stub"]): Promise<void> {
  await build({
    absWorkingDir: root,
    entryPoints: names.map((name) => ({ in: join("bench", name === "sidecar-stub" ? "" : "servers", `${name}.ts`), out: name })),
    outdir,
    outExtension: { ".js": ".mjs" },
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    external: ["@dapr/dapr", "@google-cloud/functions-framework"],
    // Mappings only (as scripts/build.ts): profiles of these servers name the original files.
    sourcemap: true,
    sourcesContent: false,
    banner: { js: REQUIRE_SHIM },
    logLevel: "warning",
  });
}
