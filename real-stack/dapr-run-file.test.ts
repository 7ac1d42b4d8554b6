import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { FUNCTIONS, functionFolder } from "../functions/catalog.js";
import { APP_HEALTH_CHECK } from "../runtime/lifecycle.js";

interface RunFile {
  version: number;
  common: { resourcesPaths: string[]; env: Record<string, string> } & Record<string, unknown>;
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

  it("pauses deliveries while an app is not ready, as runtime/lifecycle.ts says", () => {
    expect(runFile.common).toMatchObject({
      enableAppHealthCheck: true,
      appHealthCheckPath: APP_HEALTH_CHECK.path,
      appHealthProbeInterval: APP_HEALTH_CHECK.probeIntervalSeconds,
      appHealthProbeTimeout: APP_HEALTH_CHECK.probeTimeoutMs,
      appHealthThreshold: APP_HEALTH_CHECK.threshold,
    });
  });
});
