/** Every policy the rendered manifests must meet; an empty list means they do. */
import type { FunctionDefinition } from "../runtime/types.js";
import type { Manifest } from "./k8s-manifest.js";
import { lifecycleViolations } from "./k8s-policy-lifecycle.js";
import { wiringViolations } from "./k8s-policy-wiring.js";
import { workloadViolations } from "./k8s-policy-workloads.js";

export function policyViolations(manifests: readonly Manifest[], functions: readonly FunctionDefinition[]): string[] {
  return [...workloadViolations(manifests), ...lifecycleViolations(manifests), ...wiringViolations(manifests, functions)];
}
