import { describe, expect, it } from "vitest";
import { isInScope, parseComponent } from "./components.js";
import type { ResourceDocument } from "./resources.js";

const doc = (metadata: object[], scopes?: string[]): ResourceDocument => ({
  kind: "Component",
  file: "test.yaml",
  body: {
    apiVersion: "dapr.io/v1alpha1",
    kind: "Component",
    metadata: { name: "hook" },
    spec: { type: "bindings.http", version: "v1", metadata },
    ...(scopes ? { scopes } : {}),
  },
});

describe("parseComponent", () => {
  it("reads values as strings and envRef from the environment", () => {
    const component = parseComponent(
      doc(
        [
          { name: "url", envRef: "HOOK_URL" },
          { name: "retries", value: 3 },
          { name: "unset", envRef: "NOT_SET" },
        ],
        ["send-reminder"],
      ),
      { HOOK_URL: "http://x/" },
    );
    expect(component).toEqual({
      name: "hook",
      type: "bindings.http",
      version: "v1",
      metadata: { url: "http://x/", retries: "3", unset: "" },
      scopes: ["send-reminder"],
    });
  });

  it("refuses envRef to the sidecar's own secrets, as Dapr does", () => {
    expect(() => parseComponent(doc([{ name: "t", envRef: "APP_API_TOKEN" }]), {})).toThrow(/not allowed/);
    expect(() => parseComponent(doc([{ name: "t", envRef: "DAPR_API_TOKEN" }]), {})).toThrow(/not allowed/);
  });

  it("refuses secretKeyRef, which needs a secret store the stand-in does not have", () => {
    expect(() => parseComponent(doc([{ name: "t", secretKeyRef: { name: "s", key: "k" } }]), {})).toThrow(/secret store/);
  });

  it("refuses a document that is not a component", () => {
    expect(() => parseComponent({ kind: "Component", file: "x.yaml", body: { metadata: {} } }, {})).toThrow(/x.yaml: not a Dapr Component/);
  });
});

describe("isInScope", () => {
  it("puts every app in scope of a component without scopes", () => {
    expect(isInScope(parseComponent(doc([]), {}), "anyone")).toBe(true);
    expect(isInScope(parseComponent(doc([], ["a"]), {}), "a")).toBe(true);
    expect(isInScope(parseComponent(doc([], ["a"]), {}), "b")).toBe(false);
  });
});
