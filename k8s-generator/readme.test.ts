/**
 * k8s/README.md says what the manifests do: its deploy step sets the image of
 * every function and of the migration, and its connection budget table adds up
 * to what the rendered prod overlay can hold, against the configured budget.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { FUNCTIONS } from "../functions/catalog.js";
import { connectionUse } from "./policy-budget.js";
import { renderOverlay } from "./render.js";
import { DATABASE_CONNECTION_BUDGET, MIGRATE } from "./settings.js";
import { missingToolMessage, toolForTests } from "../toolkit/tools.js";

const README = readFileSync(new URL("../k8s/README.md", import.meta.url), "utf8");
const kustomize = toolForTests("kustomize");

describe("k8s/README.md", () => {
  it("sets the image of every function and of the migration before the first deploy", () => {
    const loop = /for image in ([^;]+); do/.exec(README)?.[1];
    expect(loop?.split(/[\s\\]+/).filter(Boolean)).toEqual([...FUNCTIONS.map((f) => f.appId), MIGRATE]);
  });

  if (!kustomize) {
    it.skip(`connection budget: ${missingToolMessage("kustomize")}`, () => {});
    return;
  }
  it("states the connection budget the rendered prod overlay has", async () => {
    const total = connectionUse(await renderOverlay(kustomize, "prod")).reduce((sum, use) => sum + use.poolSize * use.maxReplicas, 0);
    const { maxConnections, headroom } = DATABASE_CONNECTION_BUDGET;
    expect(README).toContain(`| **total** | | | **${total} of ${maxConnections - headroom}** |`);
  });
});
