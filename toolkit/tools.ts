/**
 * Finds the Go-built tools toolkit/tools.sh installs (kustomize, actionlint):
 * first in its cache folder, then on PATH.
 */
import { accessSync, constants } from "node:fs";
import { homedir } from "node:os";
import { delimiter, join } from "node:path";

export type Tool = "kustomize" | "actionlint";

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function findTool(tool: Tool, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const cache = env.TASKFN_CACHE || join(homedir(), ".cache", "taskfn");
  const candidates = [
    join(cache, "bin", tool),
    ...(env.PATH ?? "")
      .split(delimiter)
      .filter(Boolean)
      .map((dir) => join(dir, tool)),
  ];
  return candidates.find(isExecutable);
}

export function missingToolMessage(tool: Tool): string {
  return `${tool} not found in \${TASKFN_CACHE:-~/.cache/taskfn}/bin or PATH: run \`bash toolkit/tools.sh\` (CI does)`;
}

/**
 * For tests: the tool's path, or undefined (with a warning) so they skip. In CI
 * (`CI` set, as GitHub Actions does) a missing tool is an error instead: there
 * the tests must run, not quietly skip.
 */
export function toolForTests(tool: Tool, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const path = findTool(tool, env);
  if (path) return path;
  if (env.CI) throw new Error(`${missingToolMessage(tool)}; in CI it must run before npm test`);
  console.warn(`skipping the ${tool} tests: ${missingToolMessage(tool)}`);
  return undefined;
}
