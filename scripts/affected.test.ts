import { execFileSync } from "node:child_process";
import { mkdtemp, mkdir, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, normalize } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FUNCTIONS } from "../functions/catalog.js";
import { functionBundles } from "./affected-bundles.js";
import { type FunctionBundle, affectedFunctions } from "./affected-functions.js";
import { changedFiles } from "./affected-git.js";
import { buildFunctions } from "../toolkit/build.js";
import { ROOT } from "../toolkit/paths.js";

const DATABASE_MODULE = "runtime/database.ts";
const SYNTHETIC: FunctionBundle[] = [
  { appId: "create-task", inputs: ["functions/create-task/main.ts", "tasks/recurrence.ts", "runtime/serve.ts", DATABASE_MODULE] },
  { appId: "get-task", inputs: ["functions/get-task/main.ts", "runtime/serve.ts", DATABASE_MODULE] },
  { appId: "on-task-completed", inputs: ["functions/on-task-completed/main.ts", "tasks/recurrence.ts", "runtime/serve.ts", DATABASE_MODULE] },
  { appId: "send-reminder", inputs: ["functions/send-reminder/main.ts", "runtime/serve.ts"] },
];
const ALL = SYNTHETIC.map((bundle) => bundle.appId);

describe("affectedFunctions", () => {
  it.each([
    ["one function's file", ["functions/get-task/main.ts"], { functions: ["get-task"], migrate: false, platform: false }],
    ["a shared module: exactly its importers", ["tasks/recurrence.ts"], { functions: ["create-task", "on-task-completed"], migrate: false, platform: false }],
    ["the Prisma schema: every database user and the migration", ["prisma/schema.prisma"], { functions: ["create-task", "get-task", "on-task-completed"], migrate: true, platform: false }],
    ["a migration: every database user and the migration", ["prisma/migrations/20270101000000_x/migration.sql"], { functions: ["create-task", "get-task", "on-task-completed"], migrate: true, platform: false }],
    ["a README: nothing", ["README.md", "k8s/README.md"], { functions: [], migrate: false, platform: false }],
    ["the lockfile: every image", ["package-lock.json"], { functions: ALL, migrate: true, platform: false }],
    ["the Dockerfile: every image", ["Dockerfile"], { functions: ALL, migrate: true, platform: false }],
    ["the bundler: every function image", ["toolkit/build.ts"], { functions: ALL, migrate: false, platform: false }],
    ["a function's own manifest", ["k8s/base/generated/functions/send-reminder.yaml"], { functions: ["send-reminder"], migrate: false, platform: false }],
    ["the migration Job's manifest", ["k8s/base/generated/migrate-job.yaml"], { functions: [], migrate: true, platform: false }],
    ["a Dapr component", ["dapr/components/pubsub.yaml", "k8s/base/generated/dapr/components/pubsub.yaml"], { functions: [], migrate: false, platform: true }],
    ["an overlay, which may patch anything", ["k8s/overlays/prod/kustomization.yaml"], { functions: ALL, migrate: true, platform: true }],
    ["a test beside a function: not in its bundle", ["functions/create-task/create-task.test.ts"], { functions: [], migrate: false, platform: false }],
  ])("%s", (_name, changed, expected) => {
    expect(affectedFunctions(changed, SYNTHETIC)).toEqual(expected);
  });
});

/**
 * An oracle independent of esbuild: follow the relative import statements of
 * the repository's own TypeScript files (type-only imports are erased).
 */
async function importersBySource(target: string): Promise<string[]> {
  const IMPORT = /(?:^|\n)\s*(?:import|export)\s+(?!type\b)(?:[^'";]*?\bfrom\s+)?["'](\.{1,2}\/[^"']+)\.js["']/g;
  const imports = new Map<string, string[]>();
  const read = async (file: string): Promise<void> => {
    if (imports.has(file)) return;
    const source = await readFile(join(ROOT, file), "utf8");
    const found = [...source.matchAll(IMPORT)].map((m) => normalize(join(dirname(file), `${m[1]}.ts`)));
    imports.set(file, found);
    await Promise.all(found.map(read));
  };
  const importers: string[] = [];
  for (const definition of FUNCTIONS) {
    const entry = `functions/${definition.appId}/main.ts`;
    await read(entry);
    const seen = new Set([entry]);
    const pending = [entry];
    for (let file = pending.pop(); file !== undefined; file = pending.pop()) {
      for (const next of imports.get(file) ?? []) {
        if (seen.has(next)) continue;
        seen.add(next);
        pending.push(next);
      }
    }
    if (seen.has(target)) importers.push(definition.appId);
  }
  return importers;
}

describe("the real import graph", () => {
  let bundles: FunctionBundle[];
  beforeAll(async () => {
    bundles = await functionBundles();
  });

  it("maps a function's own handler to that function only", () => {
    expect(affectedFunctions(["functions/create-task/handler.ts"], bundles).functions).toEqual(["create-task"]);
  });

  it("maps each shared tasks/ module to exactly the functions whose sources import it", async () => {
    const modules = (await readdir(join(ROOT, "tasks"))).filter((name) => name.endsWith(".ts") && !name.endsWith(".test.ts"));
    for (const module of modules.map((name) => `tasks/${name}`)) {
      expect(affectedFunctions([module], bundles).functions, module).toEqual(await importersBySource(module));
    }
  });

  it("counts every function as a database user (each bundles runtime/database.ts)", () => {
    expect(affectedFunctions(["prisma/schema.prisma"], bundles)).toEqual({ functions: FUNCTIONS.map((f) => f.appId), migrate: true, platform: false });
  });

  it("covers every file the real build puts in each bundle (toolkit/build.ts resolves the same way)", async () => {
    const outdir = await mkdtemp(join(tmpdir(), "taskfn-affected-test-"));
    try {
      const built = await buildFunctions({ outdir });
      for (const { appId, bundle } of built.functions) {
        const meta = JSON.parse(await readFile(join(dirname(bundle), "meta.json"), "utf8")) as { inputs: Record<string, unknown> };
        const graph = new Set(bundles.find((b) => b.appId === appId)?.inputs);
        expect(Object.keys(meta.inputs).filter((input) => !graph.has(input)), appId).toEqual([]);
      }
    } finally {
      await rm(outdir, { recursive: true, force: true });
    }
  });
});

describe("changedFiles", () => {
  let repo: string;
  const git = (...args: string[]) => execFileSync("git", args, { cwd: repo, encoding: "utf8" });
  const commitFile = async (path: string, text: string) => {
    await mkdir(dirname(join(repo, path)), { recursive: true });
    await writeFile(join(repo, path), text);
    git("add", "-A");
    git("commit", "-qm", path);
  };

  beforeAll(async () => {
    repo = await mkdtemp(join(tmpdir(), "taskfn-affected-git-"));
    git("init", "-q", "-b", "main");
    git("config", "user.email", "test@example.com");
    git("config", "user.name", "test");
    await commitFile("tasks/a.ts", "export const a = 1;\n");
    git("checkout", "-qb", "change");
    await commitFile("functions/x/main.ts", "export {};\n");
    git("mv", "tasks/a.ts", "tasks/b.ts");
    git("commit", "-qm", "rename");
    // A commit on main after the branch point is not part of the change.
    git("checkout", "-q", "main");
    await commitFile("README.md", "# x\n");
    git("checkout", "-q", "change");
  });
  afterAll(() => rm(repo, { recursive: true, force: true }));

  it("lists the change since the merge base, a rename at both paths", async () => {
    expect((await changedFiles("main", repo)).sort()).toEqual(["functions/x/main.ts", "tasks/a.ts", "tasks/b.ts"]);
  });

  it("refuses a base that is not a commit", async () => {
    await expect(changedFiles("no-such-ref", repo)).rejects.toThrow(/not a commit/);
  });
});
