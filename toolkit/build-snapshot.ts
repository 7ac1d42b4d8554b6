/**
 * A V8 startup snapshot per function, beside its bundle: `snapshot.cjs` (the same
 * main.ts bundled as one CommonJS script, what `node --build-snapshot` takes) and
 * `snapshot.blob`, the heap after every module of it was evaluated. `node
 * --snapshot-blob snapshot.blob` deserialises that heap instead of parsing,
 * compiling and running the modules, then runs serveFunction's start
 * (runtime/serve.ts): configuration, pool, server and timers all come after.
 *
 * A blob only starts on the Node binary that built it, so the image builds its
 * blobs with its own Node (Dockerfile, build stage). What a module reads from the
 * environment while it is evaluated is the build's: pg's default user ($USER) is
 * one, which is why DATABASE_URL names its user. Node itself reseeds Math.random
 * and randomUUID's entropy on deserialisation.
 */
import { execFile } from "node:child_process";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { build } from "esbuild";
import { functionFolder } from "../functions/catalog.js";
import type { FunctionDefinition } from "../runtime/types.js";

export const SNAPSHOT_BLOB = "snapshot.blob";
export const SNAPSHOT_SCRIPT = "snapshot.cjs";

/**
 * Built-ins whose native handles V8 cannot serialise (the HTTP parser, the
 * HTTP/2 session state): a heap holding them fails to snapshot ("global handle
 * not serialized"). Every module in the bundle only uses them inside functions,
 * so while the snapshot is built `require` hands out a stand-in that reaches the
 * real module on use, and the real modules are loaded first thing after
 * deserialisation, before the main function runs.
 */
const DEFERRED_BUILTINS = ["http", "https", "http2"];

/**
 * The bundle's first statement, as text (a function's source would carry the
 * transpiler's helpers). `require` is the snapshot builder's: built-ins only.
 */
const DEFER_BUILTINS = `var require = ((load, deferred) => {
  const { startupSnapshot } = load("node:v8");
  if (!startupSnapshot.isBuildingSnapshot()) return load;
  const loaded = new Map();
  startupSnapshot.addDeserializeCallback(() => deferred.forEach((name) => loaded.set(name, load(name))));
  const real = (name, key) => {
    const module = loaded.get(name);
    if (module) return module;
    throw new Error(\`\${name}.\${String(key)} was used while the startup snapshot was built: only inside functions, please\`);
  };
  // Interop helpers ask every required module whether it is an ES module.
  const get = (name) => (_, key) => (key === "__esModule" && !loaded.has(name) ? undefined : real(name, key)[key]);
  return (id) => {
    const name = id.replace(/^node:/, "");
    if (!deferred.includes(name)) return load(id);
    return new Proxy({}, { get: get(name), has: (_, key) => key in real(name, key) });
  };
})(require, ${JSON.stringify(DEFERRED_BUILTINS)});`;

/** The functions' main.ts as CommonJS scripts, `<outdir>/<appId>/snapshot.cjs`: one esbuild pass. */
async function bundleSnapshotScripts({ root, outdir, functions, target }: SnapshotBuild): Promise<void> {
  await build({
    absWorkingDir: root,
    entryPoints: functions.map((definition) => ({
      in: join("functions", functionFolder(definition), "main.ts"),
      out: join(functionFolder(definition), "snapshot"),
    })),
    outdir,
    outExtension: { ".js": ".cjs" },
    bundle: true,
    platform: "node",
    format: "cjs",
    target,
    banner: { js: DEFER_BUILTINS },
    logLevel: "warning",
  });
}

const run = promisify(execFile);

export interface SnapshotBuild {
  /** The repository (or a patched copy of it). */
  root: string;
  /** Where the bundles are: `<outdir>/<appId>/`. */
  outdir: string;
  functions: readonly FunctionDefinition[];
  /** The Node binary that builds the blobs, the only one they will start on. */
  node: string;
  /** esbuild's target, the bundles' own. */
  target: string;
}

/** Builds each function's blob (one at a time: each build is a whole Node process). */
export async function buildSnapshots(options: SnapshotBuild): Promise<void> {
  const { outdir, functions, node } = options;
  await bundleSnapshotScripts(options);
  for (const definition of functions) {
    const dir = join(outdir, functionFolder(definition));
    try {
      await run(node, ["--snapshot-blob", SNAPSHOT_BLOB, "--build-snapshot", SNAPSHOT_SCRIPT], { cwd: dir, maxBuffer: 16 * 1024 * 1024 });
    } catch (error) {
      const { stderr = "" } = error as { stderr?: string };
      throw new Error(`${definition.appId}: ${node} could not build its startup snapshot:\n${stderr.slice(-2000)}`, { cause: error });
    }
  }
}

/** Where a function's blob lands, given its bundle's path. */
export function snapshotBlobPath(bundle: string): string {
  return join(dirname(bundle), SNAPSHOT_BLOB);
}
