/**
 * The real import graph of each function: every file esbuild reads when it
 * bundles the function's entry point. Walked from the metafile's imports rather
 * than taken from the output's inputs, because those omit modules tree-shaking
 * emptied, and a change to such a module (a new top-level statement) would
 * still change the bundle. `npm run affected` and `npm run dev` both decide
 * from it which functions a changed file touches.
 */
import { join } from "node:path";
import { build, type Metafile } from "esbuild";
import { FUNCTIONS, functionFolder } from "../functions/catalog.js";
import type { FunctionDefinition } from "../runtime/types.js";
import { ROOT } from "./paths.js";

export interface FunctionBundle {
  appId: string;
  /** Root-relative paths of every file esbuild read into the bundle. */
  inputs: readonly string[];
}

/** A function's entry point, relative to the root it is built from. */
export function entryPointOf(definition: FunctionDefinition): string {
  return join("functions", functionFolder(definition), "main.ts");
}

/** Every file reachable by import from `entry` in a metafile of a build that bundled it. */
export function reachableFrom(metafile: Metafile, entry: string): string[] {
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

/** Resolves modules the way toolkit/build.ts does (bundle, node, esm); scripts/affected.test.ts checks they agree. */
export async function functionBundles(functions: readonly FunctionDefinition[] = FUNCTIONS, root = ROOT): Promise<FunctionBundle[]> {
  const { metafile } = await build({
    absWorkingDir: root,
    entryPoints: functions.map(entryPointOf),
    outdir: "affected",
    bundle: true,
    platform: "node",
    format: "esm",
    write: false,
    metafile: true,
    logLevel: "error",
  });
  // Metafile paths are relative to absWorkingDir: the root, like git's.
  return functions.map((definition) => ({ appId: definition.appId, inputs: reachableFrom(metafile, entryPointOf(definition)) }));
}
