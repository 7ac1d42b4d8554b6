import { CloudEvent, ValidationError } from "cloudevents";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { DAPR_DELIVERY_FIELDS } from "../test/events.js";
import { buildCloudEvent, parseCloudEvent, type EventDraft } from "./cloud-event.js";

const draft: EventDraft = {
  topic: "tasks",
  type: "task.created",
  subject: "0b5d0c8e-3f7e-4a36-9a4b-0d0f2f8e6c11",
  partitionKey: "alice",
  data: { title: "Water plants", tags: ["home"] },
};
const now = new Date("2025-06-02T09:00:00.000Z");

describe("buildCloudEvent", () => {
  const event = buildCloudEvent(draft, "/taskfn/createTask", now);

  it("produces a structured CloudEvents 1.0 envelope with the draft's type, subject and data", () => {
    expect(event).toMatchObject({
      specversion: "1.0",
      source: "/taskfn/createTask",
      type: "task.created",
      subject: draft.subject,
      time: "2025-06-02T09:00:00.000Z",
      datacontenttype: "application/json",
      data: { title: "Water plants", tags: ["home"] },
    });
  });

  it("gives every event a fresh uuid id (the outbox row id and the consumers' de-duplication key)", () => {
    expect(z.uuid().safeParse(event.id).success).toBe(true);
    expect(buildCloudEvent(draft, "/taskfn/createTask").id).not.toBe(event.id);
  });

  it("carries the partition key as the `partitionkey` extension", () => {
    expect(event.partitionkey).toBe("alice");
  });

  it("stamps the current time when none is given", () => {
    const before = Date.now();
    const stamped = Date.parse(buildCloudEvent(draft, "/x").time!);
    expect(stamped).toBeGreaterThanOrEqual(before);
    expect(stamped).toBeLessThanOrEqual(Date.now());
  });

  it("survives JSON (as stored in the outbox and sent to the sidecar) and parses back unchanged", () => {
    const wire = JSON.parse(JSON.stringify(event)) as Record<string, unknown>;
    expect(Object.keys(wire).sort()).toEqual(["data", "datacontenttype", "id", "partitionkey", "source", "specversion", "subject", "time", "type"]);
    expect(parseCloudEvent(wire)).toMatchObject(wire);
  });
});

describe("parseCloudEvent", () => {
  const valid = JSON.parse(JSON.stringify(buildCloudEvent(draft, "/taskfn/createTask", now))) as Record<string, unknown>;

  it("accepts a CloudEvent with the fields Dapr adds on delivery (traceparent, tracestate, pubsubname, topic, traceid)", () => {
    const delivered = { ...valid, ...DAPR_DELIVERY_FIELDS, topic: "tasks" };
    const parsed = parseCloudEvent(delivered);
    expect(parsed).toMatchObject({ id: valid.id, type: "task.created", source: "/taskfn/createTask", data: draft.data });
    expect(parsed).toMatchObject({ pubsubname: "pubsub", topic: "tasks", traceparent: DAPR_DELIVERY_FIELDS.traceparent });
  });

  it("accepts the minimal CloudEvent: specversion, id, source and type", () => {
    expect(parseCloudEvent({ specversion: "1.0", id: "e-1", source: "/s", type: "t" })).toMatchObject({ id: "e-1" });
  });

  it.each([
    ["null", null],
    ["an array", [valid]],
    ["a string", "task.completed"],
    ["a number", 42],
  ])("rejects %s: not a JSON object", (_what, body) => {
    expect(() => parseCloudEvent(body)).toThrow(/not a JSON object/);
  });

  it.each([
    ["without an id (the package would invent one, defeating de-duplication)", { id: undefined }, /id must be a non-empty string/],
    ["with an empty id", { id: "" }, /id must be a non-empty string/],
    ["with a numeric id", { id: 7 }, /id must be a non-empty string/],
    ["without a source", { source: undefined }, /source must be a non-empty string/],
    ["without a type", { type: undefined }, /type must be a non-empty string/],
    ["without a specversion", { specversion: undefined }, /specversion must be "1.0"/],
    ["of another spec version", { specversion: "0.3" }, /specversion must be "1.0"/],
    ["with a time that is not RFC 3339", { time: "yesterday" }, /invalid payload/],
    ["with an extension name that is not lower-case alphanumeric", { "Trace-Id": "x" }, /invalid extension name/],
  ])("rejects an envelope %s", (_what, change, message) => {
    const body = { ...valid, ...change };
    expect(() => parseCloudEvent(body)).toThrow(ValidationError);
    expect(() => parseCloudEvent(body)).toThrow(message);
  });

  it("rejects a plain JSON object that merely looks like task data", () => {
    expect(() => parseCloudEvent(draft.data)).toThrow(ValidationError);
  });

  it("hands back the envelope it was given when it is valid, without copying it", () => {
    const delivered = { ...valid, ...DAPR_DELIVERY_FIELDS, topic: "tasks" };
    expect(parseCloudEvent(delivered)).toBe(delivered);
  });

  // The package's validator runs on the envelope as received; for everything it does not
  // cover (non-string values, data_base64, schemaurl) and for every envelope that fails it,
  // the package's constructor decides: the verdict and the error are the constructor's own.
  it.each([
    ["as delivered", {}],
    ["with a URI source", { source: "https://example.com/tasks" }],
    ["without a time", { time: undefined }],
    ["with an empty time (the constructor stamps one)", { time: "" }],
    ["with a null subject", { subject: null }],
    ["with an integer extension", { attempt: 3 }],
    ["with a boolean extension", { replayed: true }],
    ["with an object extension", { meta: { a: 1 } }],
    ["with a fractional extension", { ratio: 0.5 }],
    ["with an upper-case extension name", { "Trace-Id": "x" }],
    ["with a numeric id", { id: 7 }],
    ["with a non-string type", { type: ["task.created"] }],
    ["with a schemaurl (a 0.3 attribute)", { schemaurl: "https://example.com/schema" }],
    ["with data_base64", { data: undefined, data_base64: "eyJhIjoxfQ==" }],
    ["with an empty subject", { subject: "" }],
    ["with a time that is not RFC 3339", { time: "2025-06-02 09:00" }],
    ["with string data", { data: "plain text" }],
  ])("decides like the package's constructor on an envelope %s", (_what, change) => {
    const body = { ...valid, ...DAPR_DELIVERY_FIELDS, ...change } as Record<string, unknown>;
    const verdict = (parse: () => unknown) => {
      try {
        parse();
        return "accepted";
      } catch (error) {
        return `${(error as Error).constructor.name}: ${(error as Error).message}`;
      }
    };
    const ours = verdict(() => parseCloudEvent(body));
    // parseCloudEvent's own stricter checks (id, source, type, specversion) come first.
    if (/must be a non-empty string|specversion must be/.test(ours)) return;
    expect(ours).toBe(verdict(() => new CloudEvent(body as never, true)));
  });
});
