/** Every policy the rendered manifests must meet; an empty list means they do. */
import type { FunctionDefinition } from "../runtime/types.js";
import type { Manifest } from "./manifest.js";
import { budgetViolations } from "./policy-budget.js";
import { deliveryViolations } from "./policy-delivery.js";
import { securityViolations } from "./policy-security.js";
import { lifecycleViolations } from "./policy-lifecycle.js";
import { wiringViolations } from "./policy-wiring.js";
import { workloadViolations } from "./policy-workloads.js";

export function policyViolations(manifests: readonly Manifest[], functions: readonly FunctionDefinition[]): string[] {
  return [
    ...workloadViolations(manifests),
    ...lifecycleViolations(manifests),
    ...deliveryViolations(manifests),
    ...wiringViolations(manifests, functions),
    ...securityViolations(manifests, functions),
    ...budgetViolations(manifests),
  ];
}
