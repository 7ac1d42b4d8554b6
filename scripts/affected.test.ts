import { mkdtemp, readFile, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, normalize } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { FUNCTIONS } from "../functions/catalog.js";
import { affectedFunctions } from "./affected-functions.js";
import { functionBundles, type FunctionBundle } from "../toolkit/bundle-inputs.js";
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
    ["one function's file", ["functions/get-task/main.ts"], { images: ["get-task"], functions: ["get-task"], migrate: false, platform: false }],
    [
      "a shared module: exactly its importers",
      ["tasks/recurrence.ts"],
      { images: ["create-task", "on-task-completed"], functions: ["create-task", "on-task-completed"], migrate: false, platform: false },
    ],
    [
      "the Prisma schema: every database user and the migration",
      ["prisma/schema.prisma"],
      {
        images: ["create-task", "get-task", "on-task-completed", "migrate"],
        functions: ["create-task", "get-task", "on-task-completed"],
        migrate: true,
        platform: false,
      },
    ],
    [
      "a migration: every database user and the migration",
      ["prisma/migrations/20270101000000_x/migration.sql"],
      {
        images: ["create-task", "get-task", "on-task-completed", "migrate"],
        functions: ["create-task", "get-task", "on-task-completed"],
        migrate: true,
        platform: false,
      },
    ],
    ["a README: nothing", ["README.md", "k8s/README.md"], { images: [], functions: [], migrate: false, platform: false }],
    ["the lockfile: every image", ["package-lock.json"], { images: [...ALL, "migrate"], functions: ALL, migrate: true, platform: false }],
    ["the Dockerfile: every image", ["Dockerfile"], { images: [...ALL, "migrate"], functions: ALL, migrate: true, platform: false }],
    ["the bundler: every function image", ["toolkit/build.ts"], { images: ALL, functions: ALL, migrate: false, platform: false }],
    [
      "a function's own manifest: applied, its image retagged",
      ["k8s/base/generated/functions/send-reminder.yaml"],
      { images: [], functions: ["send-reminder"], migrate: false, platform: false },
    ],
    [
      "the migration Job's manifest: the Job runs on the retagged image",
      ["k8s/base/generated/migrate-job.yaml"],
      { images: [], functions: [], migrate: true, platform: false },
    ],
    [
      "a Dapr component",
      ["dapr/components/pubsub.yaml", "k8s/base/generated/dapr/components/pubsub.yaml"],
      { images: [], functions: [], migrate: false, platform: true },
    ],
    [
      "an overlay, which may patch anything: everything applied, nothing rebuilt",
      ["k8s/overlays/prod/kustomization.yaml"],
      { images: [], functions: ALL, migrate: true, platform: true },
    ],
    [
      "a test beside a function: not in its bundle",
      ["functions/create-task/create-task.test.ts"],
      { images: [], functions: [], migrate: false, platform: false },
    ],
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
    const all = FUNCTIONS.map((f) => f.appId);
    expect(affectedFunctions(["prisma/schema.prisma"], bundles)).toEqual({ images: [...all, "migrate"], functions: all, migrate: true, platform: false });
  });

  it("covers every file the real build puts in each bundle (toolkit/build.ts resolves the same way)", async () => {
    const outdir = await mkdtemp(join(tmpdir(), "taskfn-affected-test-"));
    try {
      const built = await buildFunctions({ outdir });
      for (const { appId, bundle } of built.functions) {
        const meta = JSON.parse(await readFile(join(dirname(bundle), "meta.json"), "utf8")) as { inputs: Record<string, unknown> };
        const graph = new Set(bundles.find((b) => b.appId === appId)?.inputs);
        expect(
          Object.keys(meta.inputs).filter((input) => !graph.has(input)),
          appId,
        ).toEqual([]);
      }
    } finally {
      await rm(outdir, { recursive: true, force: true });
    }
  });
});
