/**
 * Deploys planned on a scripted git history: the last successfully deployed
 * commit is the base, so a failed or superseded run loses nothing; an older
 * run arriving after a newer deploy does nothing; an unknown base deploys all.
 */
import { execFileSync } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { affectedFunctions } from "./affected-functions.js";
import type { FunctionBundle } from "../toolkit/bundle-inputs.js";
import { changedFiles, deployBase } from "./affected-git.js";

const BUNDLES: FunctionBundle[] = [
  { appId: "create-task", inputs: ["functions/create-task/main.ts", "runtime/serve.ts"] },
  { appId: "get-task", inputs: ["functions/get-task/main.ts", "runtime/serve.ts"] },
  { appId: "send-reminder", inputs: ["functions/send-reminder/main.ts", "runtime/serve.ts"] },
];

let repo: string;
const git = (...args: string[]) => execFileSync("git", args, { cwd: repo, encoding: "utf8" }).trim();
const commit = async (path: string, text: string): Promise<string> => {
  await mkdir(dirname(join(repo, path)), { recursive: true });
  await writeFile(join(repo, path), text);
  git("add", "-A");
  git("commit", "-qm", path);
  return git("rev-parse", "HEAD");
};
/** What a deploy run of `sha` would roll out after `deployed` was the last success. */
const deployOf = async (sha: string, deployed: string | undefined) => {
  git("checkout", "-q", sha);
  const base = await deployBase(deployed, repo);
  return base.kind === "diff" ? { kind: "diff", ...affectedFunctions(await changedFiles(base.base, repo), BUNDLES) } : { kind: base.kind };
};

const history: Record<"a" | "b" | "c", string> = { a: "", b: "", c: "" };
beforeAll(async () => {
  repo = await mkdtemp(join(tmpdir(), "taskfn-deploy-history-"));
  git("init", "-q", "-b", "main");
  git("config", "user.email", "test@example.com");
  git("config", "user.name", "test");
  history.a = await commit("runtime/serve.ts", "export {};\n");
  history.b = await commit("functions/get-task/main.ts", "export const b = 1;\n");
  history.c = await commit("functions/send-reminder/main.ts", "export const c = 1;\n");
});
afterAll(() => rm(repo, { recursive: true, force: true }));

describe("deploying main commit by commit", () => {
  it("a failed deploy of B leaves A recorded, so C's deploy still rolls out B's function", async () => {
    expect(await deployOf(history.c, history.a)).toMatchObject({
      kind: "diff",
      images: ["get-task", "send-reminder"],
      functions: ["get-task", "send-reminder"],
    });
  });

  it("a superseded run (B's CI or deploy cancelled for C) is covered the same way: C deploys both", async () => {
    const afterB = await deployOf(history.b, history.a);
    const afterC = await deployOf(history.c, history.a);
    expect(afterB).toMatchObject({ images: ["get-task"] });
    expect(afterC).toMatchObject({ images: ["get-task", "send-reminder"] });
  });

  it("once C is deployed, B's late run (its CI finished after C's) changes nothing", async () => {
    expect(await deployOf(history.b, history.c)).toEqual({ kind: "skip" });
    expect(await deployOf(history.c, history.c)).toEqual({ kind: "skip" });
  });

  it("deploys everything when nothing was deployed, or the recorded commit is unknown or rewritten away", async () => {
    expect(await deployOf(history.c, undefined)).toEqual({ kind: "all" });
    expect(await deployOf(history.c, "0123456789abcdef0123456789abcdef01234567")).toEqual({ kind: "all" });
    git("checkout", "-q", "--orphan", "rewritten");
    const rewritten = await commit("functions/create-task/main.ts", "export {};\n");
    expect(await deployOf(rewritten, history.b)).toEqual({ kind: "all" });
  });
});

describe("changedFiles", () => {
  it("lists the change since the merge base, a rename at both paths", async () => {
    git("checkout", "-q", "-b", "change", history.c);
    git("mv", "runtime/serve.ts", "runtime/served.ts");
    git("commit", "-qm", "rename");
    expect((await changedFiles(history.b, repo)).sort()).toEqual(["functions/send-reminder/main.ts", "runtime/serve.ts", "runtime/served.ts"]);
  });

  it("refuses a base that is not a commit", async () => {
    await expect(changedFiles("no-such-ref", repo)).rejects.toThrow(/not a commit/);
  });
});
