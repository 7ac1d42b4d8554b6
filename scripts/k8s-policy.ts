/** Every policy the rendered manifests must meet; an empty list means they do. */
import type { FunctionDefinition } from "../runtime/types.js";
import type { Manifest } from "./k8s-manifest.js";
import { budgetViolations } from "./k8s-policy-budget.js";
import { securityViolations } from "./k8s-policy-security.js";
import { wiringViolations } from "./k8s-policy-wiring.js";
import { workloadViolations } from "./k8s-policy-workloads.js";

export function policyViolations(manifests: readonly Manifest[], functions: readonly FunctionDefinition[]): string[] {
  return [...workloadViolations(manifests), ...wiringViolations(manifests, functions), ...securityViolations(manifests, functions), ...budgetViolations(manifests)];
}
