/**
 * Bundles every function into its own folder, `dist/<appId>/`: `index.mjs`
 * holding only what that function imports (node_modules included), its source
 * map and esbuild metafile (`meta.json`), and, when its code reaches a dynamic
 * `import()`, the chunks that import loads, beside it.
 *
 * Code behind an `import()` is what a function needs late or never. In a chunk
 * Node neither reads nor compiles it at start-up; inlined, it is parsed on every
 * cold start even if it never runs (Prisma's 4.5 MB base64 query compiler,
 * when the functions still bundled it: ~40 ms and ~12 MiB of each cold start).
 * Chunks cannot be shared between functions (an image holds one folder), so a
 * function that imports lazily is built alone with splitting; the others come
 * out of one esbuild pass, which parses the modules they share once.
 *
 * `npm run build` prints a table; `npm start` calls buildFunctions().
 */
import { readdir, rm, writeFile } from "node:fs/promises";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { build, type BuildOptions as EsbuildOptions, type Metafile } from "esbuild";
import { FUNCTIONS, functionFolder } from "../functions/catalog.js";
import type { FunctionDefinition } from "../runtime/types.js";

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
  target: "node20",
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
  /** Default: `dist/` at the repository root. */
  outdir?: string;
  /** The checkout whose `functions/<appId>/main.ts` are built. Default: this repository. */
  root?: string;
  /** Default: every function in the catalog. */
  functions?: readonly FunctionDefinition[];
}

export interface BuiltFunction {
  appId: string;
  /** Absolute path of `index.mjs`. */
  bundle: string;
  /** Size of `index.mjs`: the code Node reads and compiles at start-up. */
  bytes: number;
  /** Chunks loaded by dynamic `import()`, beside `index.mjs`: absolute paths. */
  chunks: string[];
  chunkBytes: number;
}

export interface BuildReport {
  functions: BuiltFunction[];
  ms: number;
}

/**
 * The part of a metafile that concerns one output and its source map: what
 * `meta.json` holds for a function built in the shared pass. Either way its
 * `outputs` name every file of the function's folder but `meta.json` itself.
 */
function metafileOf(metafile: Metafile, outputPath: string): Metafile {
  const output = metafile.outputs[outputPath];
  if (!output) throw new Error(`esbuild produced no ${outputPath}`);
  const inputs = Object.fromEntries(Object.keys(output.inputs).flatMap((path) => (metafile.inputs[path] ? [[path, metafile.inputs[path]]] : [])));
  const map = metafile.outputs[`${outputPath}.map`];
  return { inputs, outputs: { [outputPath]: output, ...(map && { [`${outputPath}.map`]: map }) } };
}

/** True when the function's code reaches a bundled (not external) dynamic `import()`. */
function importsLazily(meta: Metafile): boolean {
  return Object.values(meta.inputs).some((input) => input.imports.some((i) => i.kind === "dynamic-import" && !i.external));
}

const entryOf = (definition: FunctionDefinition) => join("functions", functionFolder(definition), "main.ts");

/** One function alone, chunks split off beside its `index.mjs`: its metafile lists them all. */
async function buildWithChunks(definition: FunctionDefinition, root: string, outdir: string): Promise<Metafile> {
  const result = await build({
    ...NODE_BUNDLE_OPTIONS,
    absWorkingDir: root,
    entryPoints: [{ in: entryOf(definition), out: "index" }],
    outdir: join(outdir, functionFolder(definition)),
    splitting: true,
    metafile: true,
  });
  return result.metafile;
}

export async function buildFunctions({ outdir = DIST_DIR, root = ROOT, functions = FUNCTIONS }: BuildOptions = {}): Promise<BuildReport> {
  const started = performance.now();
  const shared = await build({
    ...NODE_BUNDLE_OPTIONS,
    absWorkingDir: root,
    entryPoints: functions.map((definition) => ({ in: entryOf(definition), out: join(functionFolder(definition), "index") })),
    outdir,
    metafile: true,
  });
  const metas = await Promise.all(
    functions.map(async (definition) => {
      const meta = metafileOf(shared.metafile, relative(root, bundlePath(outdir, definition)));
      // The shared pass inlined what its import() loads: that function is built again, alone.
      return importsLazily(meta) ? buildWithChunks(definition, root, outdir) : meta;
    }),
  );
  const ms = Math.round(performance.now() - started);

  const built = await Promise.all(
    functions.map(async (definition, i) => {
      const meta = metas[i]!;
      const bundle = bundlePath(outdir, definition);
      const dir = dirname(bundle);
      const outputs = new Map(Object.entries(meta.outputs).map(([path, output]) => [resolve(root, path), output.bytes]));
      // Chunk names carry a content hash: drop those of earlier builds, or images and sizes would count them.
      const stale = (await readdir(dir)).filter((file) => /\.mjs(\.map)?$/.test(file) && !outputs.has(join(dir, file)));
      await Promise.all(stale.map((file) => rm(join(dir, file))));
      await writeFile(join(dir, "meta.json"), JSON.stringify(meta));
      const chunks = [...outputs.keys()].filter((path) => path.endsWith(".mjs") && path !== bundle);
      return {
        appId: definition.appId,
        bundle,
        bytes: outputs.get(bundle)!,
        chunks,
        chunkBytes: chunks.reduce((sum, path) => sum + outputs.get(path)!, 0),
      };
    }),
  );
  return { functions: built, ms };
}

function formatTable({ functions, ms }: BuildReport): string {
  const width = Math.max(...functions.map((f) => f.appId.length), "function".length);
  const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(2)} MB`;
  const lazy = (f: BuiltFunction) => (f.chunks.length ? `${mb(f.chunkBytes)} in ${f.chunks.length} chunk${f.chunks.length > 1 ? "s" : ""}` : "-");
  const rows = functions.map((f) => `${f.appId.padEnd(width)}  ${mb(f.bytes).padStart(9)}  ${lazy(f)}`);
  return [`${"function".padEnd(width)}  ${"index.mjs".padStart(9)}  loaded by import()`, ...rows, `${functions.length} functions built in ${ms} ms`].join("\n");
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  console.log(formatTable(await buildFunctions()));
}
