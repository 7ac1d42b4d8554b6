/**
 * Validates rendered objects against real schemas, offline: core and Gateway
 * API kinds with the kubernetes-models validators (generated from the
 * Kubernetes and Gateway API OpenAPI specs), custom resources with the CRD
 * schemas in k8s/schemas/. A kind with no schema is an error, never a pass.
 */
import { readFileSync } from "node:fs";
import { Ajv, type ValidateFunction } from "ajv";
import { Gateway, HTTPRoute } from "@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1";
import { Deployment } from "kubernetes-models/apps/v1";
import { HorizontalPodAutoscaler } from "kubernetes-models/autoscaling/v2";
import { Job } from "kubernetes-models/batch/v1";
import { NetworkPolicy } from "kubernetes-models/networking.k8s.io/v1";
import { PodDisruptionBudget } from "kubernetes-models/policy/v1";
import { ConfigMap, Namespace, Service } from "kubernetes-models/v1";
import { describe, type Manifest } from "./manifest.js";

interface Validatable {
  validate(): void;
}

/** The core kinds k8s/ renders; add one here when a manifest starts using it. */
const CORE_MODELS: Readonly<Record<string, new (data: never) => Validatable>> = {
  "v1/ConfigMap": ConfigMap,
  "v1/Namespace": Namespace,
  "v1/Service": Service,
  "apps/v1/Deployment": Deployment,
  "autoscaling/v2/HorizontalPodAutoscaler": HorizontalPodAutoscaler,
  "batch/v1/Job": Job,
  "networking.k8s.io/v1/NetworkPolicy": NetworkPolicy,
  "policy/v1/PodDisruptionBudget": PodDisruptionBudget,
  "gateway.networking.k8s.io/v1/Gateway": Gateway,
  "gateway.networking.k8s.io/v1/HTTPRoute": HTTPRoute,
};

const SCHEMAS_DIR = new URL("../k8s/schemas/", import.meta.url);

// The CRD schemas use Kubernetes' own formats and x-kubernetes-* keywords, which
// are annotations to Ajv (strict: false); int32/int64 are checked for what they say.
const ajv = new Ajv({
  allErrors: true,
  strict: false,
  formats: {
    int32: { type: "number", validate: (n: number) => Number.isInteger(n) && n >= -(2 ** 31) && n < 2 ** 31 },
    int64: { type: "number", validate: (n: number) => Number.isSafeInteger(n) },
    "date-time": true,
  },
});
const crdValidators = new Map<string, ValidateFunction | undefined>();

/** `dapr.io/v1alpha1` + `Component` → k8s/schemas/dapr.io/component_v1alpha1.json. */
function crdValidator(apiVersion: string, kind: string): ValidateFunction | undefined {
  const [group, version] = apiVersion.split("/");
  if (!group || !version) return undefined;
  const file = new URL(`${group}/${kind.toLowerCase()}_${version}.json`, SCHEMAS_DIR);
  if (!crdValidators.has(file.href)) {
    let schema: object | undefined;
    try {
      schema = JSON.parse(readFileSync(file, "utf8")) as object;
    } catch {
      schema = undefined;
    }
    crdValidators.set(file.href, schema && ajv.compile(schema));
  }
  return crdValidators.get(file.href);
}

/** The schema errors of one object; empty when it is valid. */
export function schemaErrors(manifest: Manifest): string[] {
  const Model = CORE_MODELS[`${manifest.apiVersion}/${manifest.kind}`];
  if (Model) {
    try {
      new Model(manifest as never).validate();
      return [];
    } catch (error) {
      return [`${describe(manifest)}: ${(error as Error).message}`];
    }
  }
  const validate = crdValidator(manifest.apiVersion, manifest.kind);
  if (!validate)
    return [`${describe(manifest)}: no schema for ${manifest.apiVersion} ${manifest.kind} (add it to k8s-generator/schema-validation.ts or k8s/schemas/)`];
  if (validate(manifest)) return [];
  return (validate.errors ?? []).map(
    (error) =>
      `${describe(manifest)}: ${error.instancePath || "/"} ${error.message ?? "is invalid"}${error.params && "additionalProperty" in error.params ? ` (${String(error.params.additionalProperty)})` : ""}`,
  );
}
