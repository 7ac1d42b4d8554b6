import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { FUNCTIONS, functionFolder } from "../functions/catalog.js";

interface RunFile {
  version: number;
  common: { resourcesPaths: string[]; env: Record<string, string> };
  apps: unknown[];
}

const runFile = parse(readFileSync(new URL("../dapr/dapr.yaml", import.meta.url), "utf8")) as RunFile;

describe("dapr/dapr.yaml, the Dapr CLI's multi-app run file", () => {
  it("runs every function of the catalog from its bundle, app id and port as in the catalog", () => {
    expect(runFile.apps).toEqual(
      FUNCTIONS.map((definition) => ({
        appID: definition.appId,
        appDirPath: "..",
        appPort: definition.port,
        command: ["node", `dist/${functionFolder(definition)}/index.mjs`],
        // An env map per app: the CLI merges common.env into it, and older CLIs panic on a missing one.
        env: { PORT: String(definition.port) },
      })),
    );
  });

  it("loads what daprd loads everywhere else: the components and the Resiliency spec", () => {
    expect(runFile.version).toBe(1);
    expect(runFile.common.resourcesPaths).toEqual(["./components", "."]);
  });
});
