/**
 * The real import graph of each function: every file esbuild reads when it
 * bundles the function's entry point. Walked from the metafile's imports rather
 * than taken from the output's inputs, because those omit modules tree-shaking
 * emptied, and a change to such a module (a new top-level statement) would
 * still change the bundle.
 */
import { join } from "node:path";
import { build, type Metafile } from "esbuild";
import { FUNCTIONS, functionFolder } from "../functions/catalog.js";
import type { FunctionDefinition } from "../runtime/types.js";
import type { FunctionBundle } from "./affected-functions.js";
import { ROOT } from "../toolkit/paths.js";

function entryPointOf(definition: FunctionDefinition): string {
  return join("functions", functionFolder(definition), "main.ts");
}

function reachableFrom(metafile: Metafile, entry: string): string[] {
  const seen = new Set([entry]);
  const pending = [entry];
  for (let file = pending.pop(); file !== undefined; file = pending.pop()) {
    for (const { path, external } of metafile.inputs[file]?.imports ?? []) {
      if (external || seen.has(path)) continue;
      seen.add(path);
      pending.push(path);
    }
  }
  return [...seen].sort();
}

/** Resolves modules the way toolkit/build.ts does (bundle, node, esm); affected.test.ts checks they agree. */
export async function functionBundles(functions: readonly FunctionDefinition[] = FUNCTIONS): Promise<FunctionBundle[]> {
  const { metafile } = await build({
    absWorkingDir: ROOT,
    entryPoints: functions.map(entryPointOf),
    outdir: "affected",
    bundle: true,
    platform: "node",
    format: "esm",
    write: false,
    metafile: true,
    logLevel: "error",
  });
  // Metafile paths are relative to absWorkingDir: the repository root, like git's.
  return functions.map((definition) => ({ appId: definition.appId, inputs: reachableFrom(metafile, entryPointOf(definition)) }));
}
