/**
 * Bundles every function into one self-contained ESM file, `dist/<appId>/index.mjs`,
 * holding only what that function imports (node_modules included), plus its source
 * map and esbuild metafile (`meta.json`). Nothing has to be copied beside a bundle.
 *
 * `npm run build` prints a table; `npm start` calls buildFunctions().
 * `npm run build -- --snapshots` also builds each function's startup snapshot
 * with the Node running the build (toolkit/build-snapshot.ts): what the image runs.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { build, type BuildOptions as EsbuildOptions, type Metafile } from "esbuild";
import { FUNCTIONS, functionFolder } from "../functions/catalog.js";
import type { FunctionDefinition } from "../runtime/types.js";
import { buildSnapshots } from "./build-snapshot.js";
import { entryPointOf, reachableFrom } from "./bundle-inputs.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
export const DIST_DIR = join(ROOT, "dist");

// `pg`, `pino` and others are CommonJS and `require()` Node built-ins, which an
// ESM bundle cannot do without a real `require`.
const REQUIRE_SHIM = 'import { createRequire as __createRequire } from "node:module";\nconst require = __createRequire(import.meta.url);';

/**
 * How every Node bundle of this repository is built: the functions here, the
 * benchmark's servers (bench/bundle.ts). Maps point at the repository's sources
 * instead of embedding them: a quarter of the size, and mapping stack traces back
 * (NODE_OPTIONS=--enable-source-maps) needs only the mappings.
 */
export const NODE_BUNDLE_OPTIONS = {
  outExtension: { ".js": ".mjs" },
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node24",
  sourcemap: true,
  sourcesContent: false,
  banner: { js: REQUIRE_SHIM },
  logLevel: "warning",
} as const satisfies EsbuildOptions;

/** Where a function's bundle lands: `<outdir>/<appId>/index.mjs`. */
export function bundlePath(outdir: string, definition: FunctionDefinition): string {
  return join(outdir, functionFolder(definition), "index.mjs");
}

export interface BuildOptions {
  /** The source tree: entry points, node_modules and the metafile's paths start here. Default: this repository. */
  root?: string;
  /** Default: `dist/` at the repository root. */
  outdir?: string;
  /** Default: every function in the catalog. */
  functions?: readonly FunctionDefinition[];
  /** A Node binary: also build each function's startup snapshot with it (the blob starts only on that binary). */
  snapshotNode?: string;
}

export interface BuiltFunction {
  appId: string;
  /** Absolute path of `index.mjs`. */
  bundle: string;
  bytes: number;
  /** Root-relative paths of every file its entry point reaches (toolkit/bundle-inputs.ts). */
  inputs: string[];
}

export interface BuildReport {
  functions: BuiltFunction[];
  /** One esbuild pass builds them all: modules they share are parsed once. */
  ms: number;
}

/** The part of a metafile that concerns one output: what `meta.json` holds for each function. */
function metafileOf(metafile: Metafile, outputPath: string): Metafile {
  const output = metafile.outputs[outputPath];
  if (!output) throw new Error(`esbuild produced no ${outputPath}`);
  const inputs = Object.fromEntries(Object.keys(output.inputs).flatMap((path) => (metafile.inputs[path] ? [[path, metafile.inputs[path]]] : [])));
  return { inputs, outputs: { [outputPath]: output } };
}

export async function buildFunctions({ root = ROOT, outdir = DIST_DIR, functions = FUNCTIONS, snapshotNode }: BuildOptions = {}): Promise<BuildReport> {
  const started = performance.now();
  const result = await build({
    ...NODE_BUNDLE_OPTIONS,
    absWorkingDir: root,
    entryPoints: functions.map((definition) => ({ in: entryPointOf(definition), out: join(functionFolder(definition), "index") })),
    outdir,
    metafile: true,
  });
  if (snapshotNode) await buildSnapshots({ root, outdir, functions, node: snapshotNode, target: NODE_BUNDLE_OPTIONS.target });
  const ms = Math.round(performance.now() - started);

  const built = await Promise.all(
    functions.map(async (definition) => {
      const bundle = bundlePath(outdir, definition);
      const dir = dirname(bundle);
      const outputPath = relative(root, bundle);
      const meta = metafileOf(result.metafile, outputPath);
      await mkdir(dir, { recursive: true });
      await writeFile(join(dir, "meta.json"), JSON.stringify(meta));
      const inputs = reachableFrom(result.metafile, entryPointOf(definition));
      return { appId: definition.appId, bundle, bytes: meta.outputs[outputPath]!.bytes, inputs };
    }),
  );
  return { functions: built, ms };
}

function formatTable({ functions, ms }: BuildReport): string {
  const width = Math.max(...functions.map((f) => f.appId.length), "function".length);
  const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(2)} MB`;
  const rows = functions.map((f) => `${f.appId.padEnd(width)}  ${mb(f.bytes).padStart(9)}`);
  return [`${"function".padEnd(width)}  ${"bundle".padStart(9)}`, ...rows, `${functions.length} functions built in ${ms} ms (one esbuild pass)`].join("\n");
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const snapshots = process.argv.includes("--snapshots");
  console.log(formatTable(await buildFunctions(snapshots ? { snapshotNode: process.execPath } : {})));
}
