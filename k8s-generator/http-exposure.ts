/**
 * How an HTTP function is reached: a ClusterIP Service, and an HTTPRoute on the
 * taskfn Gateway that sends exactly its method and path to it. Gateway API
 * rather than Ingress because Ingress cannot match on the method, and several
 * functions share a path (GET, PATCH and DELETE of /api/{userId}/tasks/{taskId}).
 */
import { HTTPRoute } from "@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1";
import { Service } from "kubernetes-models/v1";
import type { FunctionDefinition, HttpTrigger } from "../runtime/types.js";
import { labelsOf, selectorOf } from "./labels.js";
import { GATEWAY_LISTENERS, GATEWAY_NAME } from "./settings.js";

const SERVICE_PORT = 80;

/**
 * `/api/{userId}/tasks/{taskId}` → `^/api/[^/]+/tasks/[^/]+$`: a parameter is one
 * non-empty segment, and the anchors keep `/tasks/{taskId}` from also matching
 * `/tasks/{taskId}/complete`. Literal segments are escaped for RE2.
 */
export function pathRegex(openApiPath: string): string {
  const segments = openApiPath.split("/").map((segment) => (/^\{[^}]+\}$/.test(segment) ? "[^/]+" : segment.replace(/[.*+?^$()|[\]\\{}]/g, "\\$&")));
  return `^${segments.join("/")}$`;
}

export function serviceOf({ appId }: FunctionDefinition<HttpTrigger>): Service {
  return new Service({
    metadata: { name: appId, labels: labelsOf(appId, "function") },
    spec: {
      selector: selectorOf(appId),
      ports: [{ name: "http", port: SERVICE_PORT, targetPort: "http" }],
    },
  });
}

export function httpRouteOf({ appId, trigger }: FunctionDefinition<HttpTrigger>): HTTPRoute {
  return new HTTPRoute({
    metadata: { name: appId, labels: labelsOf(appId, "function") },
    spec: {
      // HTTPS only: bearer tokens never cross the plain listener (it only redirects).
      parentRefs: [{ name: GATEWAY_NAME, sectionName: GATEWAY_LISTENERS.https }],
      rules: [
        {
          // RegularExpression matches are "implementation-specific" in Gateway API;
          // Envoy Gateway, Istio and Contour implement them with RE2.
          matches: [
            { method: trigger.method.toUpperCase() as Uppercase<HttpTrigger["method"]>, path: { type: "RegularExpression", value: pathRegex(trigger.path) } },
          ],
          backendRefs: [{ name: appId, port: SERVICE_PORT }],
        },
      ],
    },
  });
}
