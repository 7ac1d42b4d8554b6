/**
 * `kustomize build` of each overlay, every object checked against its real
 * schema and the policies. CI installs kustomize (toolkit/tools.sh); without
 * it these tests are skipped, saying so.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { FUNCTIONS } from "../functions/catalog.js";
import type { Manifest } from "../k8s-generator/manifest.js";
import { policyViolations } from "../k8s-generator/policy.js";
import { OVERLAYS, renderOverlay } from "../k8s-generator/render.js";
import { schemaErrors } from "../k8s-generator/schema-validation.js";
import { missingToolMessage, toolForTests } from "../toolkit/tools.js";

const kustomize = toolForTests("kustomize");

if (!kustomize) {
  it.skip(`k8s/overlays: ${missingToolMessage("kustomize")}`, () => {});
} else {
  describe.each(OVERLAYS)("k8s/overlays/%s", (overlay) => {
    let manifests: Manifest[];
    beforeAll(async () => {
      manifests = await renderOverlay(kustomize, overlay);
    });

    it("holds a Deployment per function and the shared platform objects", () => {
      const kinds = new Set(manifests.map((manifest) => manifest.kind));
      for (const kind of [
        "Kafka",
        "KafkaNodePool",
        "KafkaTopic",
        "Component",
        "Resiliency",
        "Configuration",
        "Gateway",
        "HTTPRoute",
        "ScaledObject",
        "HorizontalPodAutoscaler",
        "PodDisruptionBudget",
        "Job",
      ]) {
        expect(kinds, kind).toContain(kind);
      }
      expect(manifests.filter((m) => m.kind === "Deployment")).toHaveLength(FUNCTIONS.length);
      expect(new Set(manifests.map((m) => m.metadata.namespace ?? m.metadata.name)).size).toBe(1);
    });

    it("validates every object against its schema", () => {
      expect(manifests.flatMap(schemaErrors)).toEqual([]);
    });

    it("meets every policy", () => {
      expect(policyViolations(manifests, FUNCTIONS)).toEqual([]);
    });
  });
}
