/**
 * The files a push changes: `git diff <base>...HEAD`, i.e. since the merge
 * base. Committed changes only: an image is built from a commit, so the
 * working tree never reaches one.
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";

const git = promisify(execFile);

export async function changedFiles(base: string, cwd: string): Promise<string[]> {
  try {
    await git("git", ["rev-parse", "--verify", "--quiet", `${base}^{commit}`], { cwd });
  } catch {
    throw new Error(`${base} is not a commit in this clone (a shallow checkout needs fetch-depth: 0)`);
  }
  // --no-renames: a moved file counts at its old path too, so whatever imported it is affected.
  const { stdout } = await git("git", ["diff", "--name-only", "--no-renames", "-z", `${base}...HEAD`], { cwd, maxBuffer: 16 * 1024 * 1024 });
  return stdout.split("\0").filter(Boolean);
}
