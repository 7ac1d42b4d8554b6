import { describe, expect, it } from "vitest";
import { createLineFormatter } from "./log-format.js";

const line = (fields: object) => JSON.stringify({ level: 30, time: "2026-11-28T07:57:41.000Z", fn: "createTask", msg: "createTask listening", ...fields });

describe("createLineFormatter", () => {
  const pretty = createLineFormatter({ format: "pretty", color: false, width: 11 });

  it("prints a pino line behind its source as time, level, message and the other fields", () => {
    const time = new Date("2026-11-28T07:57:41.000Z").toTimeString().slice(0, 8);
    expect(pretty("dapr", line({ port: 3101, note: "two words" }))).toBe(`[dapr]        [${time}] INFO: createTask listening {"port":3101,"note":"two words"}`);
  });

  it("shows an error's message and stack", () => {
    const error = pretty("dapr", line({ level: 50, msg: "failed", err: { message: "boom", stack: "Error: boom\n    at x" } }));
    expect(error).toMatch(/ERROR: failed[^]*"message": "boom"[^]*Error: boom\n\s+at x/);
  });

  it("prefixes lines that are not pino JSON with their source", () => {
    expect(pretty("create-task", "Error: something on stderr")).toBe("[create-task] Error: something on stderr");
    expect(pretty("create-task", '"just a string"')).toBe('[create-task] "just a string"');
  });

  it("keeps the raw JSON with the json format", () => {
    const json = createLineFormatter({ format: "json", color: false, width: 11 });
    expect(json("create-task", line({}))).toBe(line({}));
  });
});
