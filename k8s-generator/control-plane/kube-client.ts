/**
 * The few Kubernetes API calls the tests make, over HTTPS with the test CA and
 * a bearer token: discovery (kind → resource path) and server-side apply
 * (PATCH application/apply-patch+yaml), the way `kubectl apply --server-side` does.
 */
import { readFileSync } from "node:fs";
import { request as httpsRequest } from "node:https";

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; resourceVersion?: string; [key: string]: unknown };
  [field: string]: unknown;
}

export interface KubeResponse {
  status: number;
  body: string;
  /** The API server's `Warning` headers (Pod Security warnings among them). */
  warnings: string[];
}

export interface KubeClient {
  request(method: string, path: string, body?: string, contentType?: string): Promise<KubeResponse>;
  /** The object's REST path (discovery is re-read when a kind is unknown, e.g. after a CRD was added). */
  pathOf(object: Pick<KubeObject, "apiVersion" | "kind" | "metadata">): Promise<string>;
  /** Server-side apply as `fieldManager`; the stored object comes back. */
  apply(object: KubeObject, fieldManager: string): Promise<{ object: KubeObject; warnings: string[] }>;
  get(object: Pick<KubeObject, "apiVersion" | "kind" | "metadata">): Promise<KubeObject | undefined>;
}

interface ApiResource {
  name: string;
  kind: string;
  namespaced: boolean;
}

export function kubeClient({ url, token, caFile }: { url: string; token: string; caFile: string }): KubeClient {
  const ca = readFileSync(caFile);
  const resources = new Map<string, ApiResource[]>();

  const request = (method: string, path: string, body?: string, contentType = "application/json"): Promise<KubeResponse> =>
    new Promise((resolve, reject) => {
      const req = httpsRequest(
        new URL(path, url),
        { method, ca, headers: { authorization: `Bearer ${token}`, accept: "application/json", ...(body ? { "content-type": contentType } : {}) } },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (chunk: Buffer) => chunks.push(chunk));
          res.on("end", () => {
            const warning = res.headers.warning;
            resolve({
              status: res.statusCode ?? 0,
              body: Buffer.concat(chunks).toString("utf8"),
              warnings: warning ? (Array.isArray(warning) ? warning : [warning]) : [],
            });
          });
        },
      );
      req.on("error", reject);
      req.setTimeout(30_000, () => req.destroy(new Error(`${method} ${path}: timed out`)));
      req.end(body);
    });

  async function resourceOf(apiVersion: string, kind: string): Promise<ApiResource> {
    for (const refresh of [false, true]) {
      if (refresh || !resources.has(apiVersion)) {
        const res = await request("GET", apiVersion.includes("/") ? `/apis/${apiVersion}` : `/api/${apiVersion}`);
        resources.set(apiVersion, res.status === 200 ? (JSON.parse(res.body) as { resources: ApiResource[] }).resources : []);
      }
      const found = resources.get(apiVersion)!.find((r) => r.kind === kind && !r.name.includes("/"));
      if (found) return found;
    }
    throw new Error(`the API server serves no ${kind} in ${apiVersion}`);
  }

  async function pathOf({ apiVersion, kind, metadata }: Pick<KubeObject, "apiVersion" | "kind" | "metadata">): Promise<string> {
    const resource = await resourceOf(apiVersion, kind);
    const prefix = apiVersion.includes("/") ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
    const namespace = resource.namespaced ? `/namespaces/${metadata.namespace ?? "default"}` : "";
    return `${prefix}${namespace}/${resource.name}/${encodeURIComponent(metadata.name)}`;
  }

  return {
    request,
    pathOf,
    async apply(object, fieldManager) {
      const path = `${await pathOf(object)}?fieldManager=${encodeURIComponent(fieldManager)}&force=true`;
      const res = await request("PATCH", path, JSON.stringify(object), "application/apply-patch+yaml");
      if (res.status >= 300) throw new Error(`apply ${object.kind}/${object.metadata.name}: ${res.status} ${res.body}`);
      return { object: JSON.parse(res.body) as KubeObject, warnings: res.warnings };
    },
    async get(object) {
      const res = await request("GET", await pathOf(object));
      if (res.status === 404) return undefined;
      if (res.status !== 200) throw new Error(`get ${object.kind}/${object.metadata.name}: ${res.status} ${res.body}`);
      return JSON.parse(res.body) as KubeObject;
    },
  };
}
