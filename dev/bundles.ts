/**
 * The bundles `npm start` runs, built unless the ones in the output folder were
 * built from exactly what is on disk now: a hash of every input the metafiles list
 * (sources and node_modules alike, by content: npm keeps package files' old
 * mtimes), of the build script, of esbuild's version and of the bundles' own
 * size and mtime (someone else may have rebuilt them since). Costs ~50 ms
 * against 1–2 s of building.
 */
import { createHash } from "node:crypto";
import { readFile, stat, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { version as esbuildVersion } from "esbuild";
import type { Metafile } from "esbuild";
import type { FunctionDefinition } from "../runtime/types.js";
import { buildFunctions, bundlePath } from "../toolkit/build.js";
import { ROOT } from "../toolkit/paths.js";

const BUILD_SCRIPT = join(ROOT, "toolkit", "build.ts");
const STAMP = ".sources.sha256";

/** Undefined when a bundle, a metafile or an input is missing: then it has to be built. */
async function sourcesHash(root: string, outdir: string, functions: readonly FunctionDefinition[]): Promise<string | undefined> {
  try {
    const hash = createHash("sha256")
      .update(esbuildVersion)
      .update(await readFile(BUILD_SCRIPT));
    const inputs = new Set<string>();
    for (const definition of functions) {
      const bundle = bundlePath(outdir, definition);
      const { size, mtimeMs } = await stat(bundle);
      hash.update(`${definition.appId} ${size} ${mtimeMs}`);
      const meta = JSON.parse(await readFile(join(dirname(bundle), "meta.json"), "utf8")) as Metafile;
      for (const input of Object.keys(meta.inputs)) inputs.add(input);
    }
    for (const input of [...inputs].sort()) hash.update(input).update(await readFile(join(root, input)));
    return hash.digest("hex");
  } catch {
    return undefined;
  }
}

export interface Bundles {
  /** Bundle path by app id. */
  paths: Map<string, string>;
  /** False when the existing bundles were current. */
  built: boolean;
  ms: number;
}

/** `root`: the source tree built (default this repository). */
export async function ensureBundles(outdir: string, functions: readonly FunctionDefinition[], root = ROOT): Promise<Bundles> {
  const started = performance.now();
  const paths = new Map(functions.map((f) => [f.appId, bundlePath(outdir, f)]));
  const [stamp, current] = await Promise.all([readFile(join(outdir, STAMP), "utf8").catch(() => undefined), sourcesHash(root, outdir, functions)]);
  if (current !== undefined && stamp === current) return { paths, built: false, ms: Math.round(performance.now() - started) };
  await buildFunctions({ root, outdir, functions });
  const hash = await sourcesHash(root, outdir, functions);
  if (hash) await writeFile(join(outdir, STAMP), hash);
  return { paths, built: true, ms: Math.round(performance.now() - started) };
}
