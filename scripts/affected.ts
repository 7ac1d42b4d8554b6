/**
 * `npm run affected -- --base <git ref>` prints what a deploy of HEAD must do,
 * as JSON: {"functions": [app ids], "migrate": bool, "platform": bool}.
 * `--all` prints everything (a first deploy, or a push whose base is unknown).
 */
import { parseArgs } from "node:util";
import { functionBundles } from "./affected-bundles.js";
import { type Affected, affectedFunctions, everything } from "./affected-functions.js";
import { changedFiles } from "./affected-git.js";
import { ROOT } from "../toolkit/paths.js";

async function affected(base: string | undefined): Promise<Affected> {
  const bundles = await functionBundles();
  return base ? affectedFunctions(await changedFiles(base, ROOT), bundles) : everything(bundles);
}

const { values } = parseArgs({ options: { base: { type: "string" }, all: { type: "boolean", default: false } } });
if (Boolean(values.base) === values.all) {
  console.error("usage: npm run affected -- --base <git ref> | --all");
  process.exit(2);
}
try {
  console.log(JSON.stringify(await affected(values.base)));
} catch (error) {
  console.error(`affected: ${(error as Error).message}`);
  process.exit(1);
}
