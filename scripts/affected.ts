/**
 * `npm run affected -- --deployed <commit>` prints what a deploy of HEAD must
 * do after the last successful deploy of <commit> (empty: none yet), as JSON:
 * {"skip", "reason"?, "images", "functions", "restart", "migrate", "platform"}.
 * `--all` plans everything (a first deploy, or a recovery).
 */
import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { parseArgs } from "node:util";
import { functionBundles } from "../toolkit/bundle-inputs.js";
import { sidecarsToRestart } from "./affected-dapr.js";
import { type Affected, affectedFunctions, everything } from "./affected-functions.js";
import { type DeployBase, changedFiles, deployBase } from "./affected-git.js";
import { ROOT } from "../toolkit/paths.js";

interface Plan extends Affected {
  skip: boolean;
  reason?: string;
  /** Apps whose sidecars load a changed Dapr resource and roll for no other reason. */
  restart: string[];
}

async function textAt(path: string, base: string): Promise<string> {
  return readFile(join(ROOT, path), "utf8").catch(async () => (await promisify(execFile)("git", ["show", `${base}:${path}`], { cwd: ROOT })).stdout);
}

async function plan(deployed: string | undefined, all: boolean): Promise<Plan> {
  const bundles = await functionBundles();
  const base: DeployBase = all ? { kind: "all", reason: "--all" } : await deployBase(deployed, ROOT);
  if (base.kind === "skip") return { skip: true, reason: base.reason, images: [], functions: [], restart: [], migrate: false, platform: false };
  if (base.kind === "all") return { skip: false, reason: base.reason, ...everything(bundles), restart: [] };
  const changed = await changedFiles(base.base, ROOT);
  const affected = affectedFunctions(changed, bundles);
  const texts = await Promise.all(changed.filter((path) => /^k8s\/.*\.ya?ml$/.test(path)).map(async (path) => ({ path, text: await textAt(path, base.base) })));
  const restart = sidecarsToRestart(
    texts,
    bundles.map((b) => b.appId),
  ).filter((appId) => !affected.images.includes(appId));
  return { skip: false, ...affected, restart };
}

const { values } = parseArgs({ options: { deployed: { type: "string" }, all: { type: "boolean", default: false } } });
if ((values.deployed !== undefined) === values.all) {
  console.error("usage: npm run affected -- --deployed <last deployed commit, or empty> | --all");
  process.exit(2);
}
try {
  console.log(JSON.stringify(await plan(values.deployed || undefined, values.all)));
} catch (error) {
  console.error(`affected: ${(error as Error).message}`);
  process.exit(1);
}
