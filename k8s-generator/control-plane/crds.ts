/**
 * The CustomResourceDefinitions the manifests need, from each project's own
 * files: Dapr's and KEDA's from their Go modules (the versions the tools
 * modules build), Gateway API's standard channel from its module, and
 * Strimzi's — a Java project with no Go module — built from its published
 * schemas in k8s/schemas/kafka.strimzi.io (structural: `additionalProperties:
 * false` beside `properties` is dropped, Kubernetes prunes unknown fields anyway).
 */
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { parseAllDocuments } from "yaml";
import type { KubeObject } from "./kube-client.js";

/** The Gateway API release whose standard CRDs are installed (Envoy Gateway's current line). */
export const GATEWAY_API_VERSION = "v1.4.0";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const run = promisify(execFile);

function requiredVersion(goMod: string, module: string): string {
  const match = new RegExp(`^\\s*(?:require\\s+)?${module.replaceAll(".", "\\.")}\\s+(v\\S+)`, "m").exec(readFileSync(join(ROOT, goMod), "utf8"));
  if (!match?.[1]) throw new Error(`${goMod} does not require ${module}`);
  return match[1];
}

/** The module's folder in the Go module cache (downloaded through the Go proxy if missing). */
async function moduleDir(module: string, version: string): Promise<string> {
  const cwd = mkdtempSync(join(tmpdir(), "taskfn-gomod-"));
  const { stdout } = await run("go", ["mod", "download", "-json", `${module}@${version}`], {
    cwd,
    env: { ...process.env, GOFLAGS: "-mod=mod" },
    maxBuffer: 4 * 1024 * 1024,
  });
  return (JSON.parse(stdout) as { Dir: string }).Dir;
}

function yamlObjects(dir: string): KubeObject[] {
  return readdirSync(dir)
    .filter((name) => /\.ya?ml$/.test(name))
    .sort()
    .flatMap((name) => parseAllDocuments(readFileSync(join(dir, name), "utf8")).map((doc) => doc.toJS() as KubeObject | null))
    .filter((object): object is KubeObject => object?.kind === "CustomResourceDefinition");
}

function structural(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(structural);
  if (typeof schema !== "object" || schema === null) return schema;
  const copy = Object.fromEntries(Object.entries(schema).map(([key, value]) => [key, structural(value)]));
  if ("properties" in copy && copy.additionalProperties === false) delete copy.additionalProperties;
  return copy;
}

function strimziCrds(): KubeObject[] {
  const dir = join(ROOT, "k8s/schemas/kafka.strimzi.io");
  return readdirSync(dir)
    .filter((name) => name.endsWith("_v1.json"))
    .map((name) => {
      const lower = basename(name, "_v1.json");
      const kind = { kafka: "Kafka", kafkanodepool: "KafkaNodePool", kafkatopic: "KafkaTopic", kafkauser: "KafkaUser" }[lower];
      if (!kind) throw new Error(`no kind known for ${name}`);
      const plural = `${lower}s`;
      return {
        apiVersion: "apiextensions.k8s.io/v1",
        kind: "CustomResourceDefinition",
        metadata: { name: `${plural}.kafka.strimzi.io` },
        spec: {
          group: "kafka.strimzi.io",
          scope: "Namespaced",
          names: { kind, plural, singular: lower, listKind: `${kind}List` },
          versions: [
            {
              name: "v1",
              served: true,
              storage: true,
              subresources: { status: {} },
              schema: { openAPIV3Schema: structural(JSON.parse(readFileSync(join(dir, name), "utf8"))) },
            },
          ],
        },
      };
    });
}

export async function customResourceDefinitions(): Promise<KubeObject[]> {
  const dapr = await moduleDir("github.com/dapr/dapr", requiredVersion("real-stack/daprd/go.mod", "github.com/dapr/dapr"));
  const keda = await moduleDir("github.com/kedacore/keda/v2", requiredVersion("k8s-generator/control-plane/keda/go.mod", "github.com/kedacore/keda/v2"));
  const gateway = await moduleDir("sigs.k8s.io/gateway-api", GATEWAY_API_VERSION);
  return [
    ...yamlObjects(join(dapr, "charts/dapr/crds")),
    ...yamlObjects(join(keda, "config/crd/bases")),
    ...yamlObjects(join(gateway, "config/crd/standard")),
    ...strimziCrds(),
  ];
}
