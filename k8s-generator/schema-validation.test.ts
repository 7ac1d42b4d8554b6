/** The schema check rejects what the API server would, and never passes a kind it has no schema for. */
import { describe, expect, it } from "vitest";
import { createTask } from "../functions/create-task/definition.js";
import { deploymentOf } from "./deployment.js";
import { kafkaTopicOf } from "./kafka-topics.js";
import type { Manifest } from "./manifest.js";
import { schemaErrors } from "./schema-validation.js";

const plain = (object: unknown) => JSON.parse(JSON.stringify(object)) as Manifest & { spec: Record<string, unknown> };

describe("schemaErrors", () => {
  it("accepts a generated Deployment and KafkaTopic", () => {
    expect(schemaErrors(plain(deploymentOf(createTask)))).toEqual([]);
    expect(schemaErrors(plain(kafkaTopicOf("tasks")))).toEqual([]);
  });

  it("rejects a core object of the wrong shape (kubernetes-models)", () => {
    const deployment = plain(deploymentOf(createTask));
    deployment.spec.replicas = "two";
    expect(schemaErrors(deployment).join()).toMatch(/Deployment\/create-task: .*replicas must be integer/);
  });

  it("rejects a custom resource of the wrong shape (k8s/schemas)", () => {
    const topic = plain(kafkaTopicOf("tasks"));
    topic.spec.partitions = 0;
    topic.spec.partitionCount = 6;
    const errors = schemaErrors(topic).join("\n");
    expect(errors).toMatch(/KafkaTopic\/tasks: \/spec\/partitions must be >= 1/);
    expect(errors).toMatch(/must NOT have additional properties \(partitionCount\)/);
  });

  it("fails a kind it has no schema for", () => {
    expect(schemaErrors({ apiVersion: "example.com/v1", kind: "Widget", metadata: { name: "w" } })).toEqual([
      "Widget/w: no schema for example.com/v1 Widget (add it to k8s-generator/schema-validation.ts or k8s/schemas/)",
    ]);
  });
});
