/**
 * The resource files in dapr/ are for real daprd too: they must match Dapr's
 * CRD schemas (the copies in k8s/schemas/dapr.io, shared with the manifest checks) and keep
 * the settings taskfn relies on.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Ajv } from "ajv";
import { describe, expect, it } from "vitest";
import { BINDING_FUNCTIONS, TOPIC_FUNCTIONS } from "../functions/catalog.js";
import { REMINDER_WEBHOOK_BINDING } from "../functions/send-reminder/definition.js";
import { readResources } from "../dev/dapr-stand-in/resources.js";

const DAPR_DIR = fileURLToPath(new URL(".", import.meta.url));
const FOLDERS = ["components", ".", "optional"].map((folder) => join(DAPR_DIR, folder));

// Kubernetes' x-kubernetes-* keywords are not JSON Schema: not strict.
const ajv = new Ajv({ allErrors: true, strict: false });
const SCHEMA_DIR = fileURLToPath(new URL("../k8s/schemas/dapr.io/", import.meta.url));
const schemaFor = async (file: string) => ajv.compile(JSON.parse(await readFile(join(SCHEMA_DIR, file), "utf8")));
const SCHEMAS = { Component: await schemaFor("component_v1alpha1.json"), Resiliency: await schemaFor("resiliency_v1alpha1.json") };

const documents = await readResources(FOLDERS);
const components = new Map(documents.filter((d) => d.kind === "Component").map((d) => [(d.body.metadata as { name: string }).name, d.body]));
const metadataOf = (name: string) =>
  Object.fromEntries(
    ((components.get(name)?.spec as { metadata: { name: string; value?: string; envRef?: string }[] }).metadata ?? []).map((m) => [
      m.name,
      m.value ?? `envRef:${m.envRef}`,
    ]),
  );

describe("dapr/ resource files", () => {
  it.each(documents.map((d) => [d.file.slice(DAPR_DIR.length), d] as const))("%s matches Dapr's schema for its kind", (_file, doc) => {
    expect(doc.body.apiVersion).toBe("dapr.io/v1alpha1");
    const validate = SCHEMAS[doc.kind as keyof typeof SCHEMAS];
    expect(validate, `no schema for kind ${doc.kind}`).toBeDefined();
    expect(validate(doc.body), ajv.errorsText(validate.errors)).toBe(true);
  });

  it("gives every consuming app its own Kafka consumer group: its app id", () => {
    expect(components.get("pubsub")?.spec).toMatchObject({ type: "pubsub.kafka" });
    expect(metadataOf("pubsub")).toMatchObject({ consumerGroup: "{appID}", authType: "none", initialOffset: "oldest" });
  });

  it("has one input binding per binding function, scoped to that function alone", () => {
    for (const { appId, trigger } of BINDING_FUNCTIONS) {
      expect(components.get(trigger.binding)).toMatchObject({ spec: { type: "bindings.cron" }, scopes: [appId] });
      expect(metadataOf(trigger.binding)).toMatchObject({ direction: "input", schedule: expect.stringMatching(/^@every \d+s$/) });
    }
  });

  it("keeps the optional reminder webhook scoped to send-reminder, its url from REMINDER_WEBHOOK_URL", () => {
    expect(components.get(REMINDER_WEBHOOK_BINDING)).toMatchObject({ spec: { type: "bindings.http" }, scopes: ["send-reminder"] });
    expect(metadataOf(REMINDER_WEBHOOK_BINDING)).toEqual({ url: "envRef:REMINDER_WEBHOOK_URL", direction: "output" });
  });

  it("uses the pubsub component the topic functions subscribe through", () => {
    for (const { trigger } of TOPIC_FUNCTIONS) expect(components.has(trigger.pubsub)).toBe(true);
  });
});
