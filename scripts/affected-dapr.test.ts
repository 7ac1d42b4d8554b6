import { describe, expect, it } from "vitest";
import { sidecarsToRestart } from "./affected-dapr.js";

const APPS = ["create-task", "on-reminder-due", "relay-outbox"];
const component = (name: string, scopes?: string[]) =>
  `apiVersion: dapr.io/v1alpha1\nkind: Component\nmetadata:\n  name: ${name}\nspec:\n  type: bindings.cron\n  version: v1\n${scopes ? `scopes:\n${scopes.map((s) => `  - ${s}`).join("\n")}\n` : ""}`;

describe("sidecarsToRestart", () => {
  it.each([
    [
      "a scoped component: its scopes",
      [{ path: "k8s/base/generated/dapr/components/reminder-cron.yaml", text: component("reminder-cron", ["on-reminder-due"]) }],
      ["on-reminder-due"],
    ],
    ["an unscoped component: every app", [{ path: "k8s/base/generated/dapr/components/pubsub.yaml", text: component("pubsub") }], APPS],
    [
      "the Configuration: every app",
      [{ path: "k8s/base/dapr-configuration.yaml", text: "apiVersion: dapr.io/v1alpha1\nkind: Configuration\nmetadata:\n  name: tracing\nscopes: [x]\n" }],
      APPS,
    ],
    [
      "an overlay's patch of it",
      [{ path: "k8s/overlays/prod/trace-sampling.yaml", text: "apiVersion: dapr.io/v1alpha1\nkind: Configuration\nmetadata:\n  name: tracing\n" }],
      APPS,
    ],
    [
      "a non-Dapr manifest: none",
      [{ path: "k8s/base/gateway.yaml", text: "apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\nmetadata:\n  name: g\n" }],
      [],
    ],
    ["dapr/ itself: none (the generated copy under k8s/ carries it)", [{ path: "dapr/components/pubsub.yaml", text: component("pubsub") }], []],
  ])("%s", (_name, changed, expected) => {
    expect(sidecarsToRestart(changed, APPS)).toEqual(expected);
  });
});
