/**
 * The house reads top-down: shipped code (functions/, runtime/, tasks/) imports
 * only shipped code; toolkit/ is the one library the tooling folders share and
 * imports only shipped code; a tooling folder imports shipped code, toolkit/
 * and itself, never another tooling folder. Test files may also use test/,
 * the test-support library. ARCHITECTURE.md draws the layers. And shipped code
 * is small files, one concept each: none over 200 lines (tests aside: a test
 * file is the specification of one module, read case by case).
 */
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, normalize, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "../toolkit/paths.js";

const SHIPPED = ["functions", "runtime", "tasks", "generated"];
const TOOLING = ["dev", "real-stack", "k8s-generator", "scripts", "test", "e2e", "bench"];
/** Folders of data (manifests, Dapr resources, the schema) whose tests check it with the tool that reads it. */
const DATA: Record<string, string[]> = { k8s: ["k8s-generator"], dapr: ["dev"], prisma: [] };
/** e2e/ drives the two ways of running taskfn as its systems under test, through their entry points only. */
const SYSTEMS_UNDER_TEST: Record<string, string[]> = { e2e: ["dev/start.ts", "real-stack/stack.ts"] };
const SKIP = new Set(["node_modules", "dist", ".data", ".git", "coverage"]);

function sourceFiles(dir = ""): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = dir ? `${dir}/${entry.name}` : entry.name;
    if (entry.isDirectory()) return SKIP.has(entry.name) || (dir === "" && entry.name === "generated") ? [] : sourceFiles(path);
    return /\.ts$/.test(entry.name) ? [path] : [];
  });
}

const IMPORT = /(?:from\s+|import\s*\(\s*|import\s+)["'](\.\.?\/[^"']+)["']/g;

function relativeImports(file: string): string[] {
  const text = readFileSync(join(ROOT, file), "utf8");
  return [...text.matchAll(IMPORT)].map((match) => normalize(join(dirname(file), match[1]!)).replace(/\.js$/, ".ts"));
}

const folderOf = (path: string) => (path.includes("/") ? path.slice(0, path.indexOf("/")) : ".");

function allowed(file: string, target: string): boolean {
  const from = folderOf(file);
  const to = folderOf(target);
  const isTest = file.endsWith(".test.ts");
  if (from === to || SHIPPED.includes(to)) return true;
  if (isTest && to === "test") return true;
  if (SHIPPED.includes(from)) return false;
  if (to === "toolkit") return true;
  if (from === "toolkit") return false;
  if (DATA[from]?.includes(to)) return true;
  if (SYSTEMS_UNDER_TEST[from]?.includes(target)) return true;
  // Files at the root (configs) may use anything.
  return from === "." || (!TOOLING.includes(to) && to !== "toolkit");
}

describe("folder layers", () => {
  const files = sourceFiles();

  it("finds the sources it checks", () => {
    expect(files).toContain("toolkit/process.ts");
    expect(files).toContain("functions/catalog.ts");
  });

  it("no tooling folder imports another tooling folder except toolkit/, and shipped code imports no tooling", () => {
    const violations = files.flatMap((file) =>
      relativeImports(file)
        .filter((target) => !allowed(file, target))
        .map((target) => `${file} -> ${relative(ROOT, join(ROOT, target))}`),
    );
    expect(violations).toEqual([]);
  });

  it("no shipped source file is over 200 lines", () => {
    const shipped = files.filter((file) => SHIPPED.includes(folderOf(file)) && !file.endsWith(".test.ts"));
    const long = shipped.filter((file) => readFileSync(join(ROOT, file), "utf8").trimEnd().split("\n").length > 200);
    expect(shipped.length).toBeGreaterThan(50);
    expect(long).toEqual([]);
  });
});
