/**
 * Git facts a deploy is planned from: which commit to diff against (the last
 * one deployed successfully) and the files changed since. Committed changes
 * only: an image is built from a commit, so the working tree never reaches one.
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";

const git = promisify(execFile);

async function isCommit(ref: string, cwd: string): Promise<boolean> {
  return git("git", ["rev-parse", "--verify", "--quiet", `${ref}^{commit}`], { cwd }).then(
    () => true,
    () => false,
  );
}

async function isAncestor(ancestor: string, of: string, cwd: string): Promise<boolean> {
  return git("git", ["merge-base", "--is-ancestor", ancestor, of], { cwd }).then(
    () => true,
    () => false,
  );
}

export async function changedFiles(base: string, cwd: string): Promise<string[]> {
  if (!(await isCommit(base, cwd))) throw new Error(`${base} is not a commit in this clone (a shallow checkout needs fetch-depth: 0)`);
  // --no-renames: a moved file counts at its old path too, so whatever imported it is affected.
  const { stdout } = await git("git", ["diff", "--name-only", "--no-renames", "-z", `${base}...HEAD`], { cwd, maxBuffer: 16 * 1024 * 1024 });
  return stdout.split("\0").filter(Boolean);
}

export type DeployBase = { kind: "diff"; base: string } | { kind: "all"; reason: string } | { kind: "skip"; reason: string };

/**
 * How HEAD is deployed given the last successfully deployed commit: as the
 * diff since it — so a failed or superseded run's changes are still in the
 * next one's — or everything when nothing (or an unknown history) was
 * deployed, or not at all when a newer run already deployed HEAD.
 */
export async function deployBase(deployed: string | undefined, cwd: string): Promise<DeployBase> {
  if (!deployed) return { kind: "all", reason: "no deployed commit is recorded (first deploy)" };
  if (!(await isCommit(deployed, cwd))) return { kind: "all", reason: `the deployed commit ${deployed} is not in this history` };
  if (await isAncestor("HEAD", deployed, cwd)) return { kind: "skip", reason: `HEAD is already part of the deployed ${deployed}` };
  if (!(await isAncestor(deployed, "HEAD", cwd))) return { kind: "all", reason: `the deployed ${deployed} is not an ancestor of HEAD (history rewritten)` };
  return { kind: "diff", base: deployed };
}
