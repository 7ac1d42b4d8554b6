import * as z from "zod";
import { describe, expect, it } from "vitest";
import { HttpProblem } from "./problem.js";
import { isRepeatable, queryValues } from "./query.js";

const schema = z.strictObject({
  tag: z.array(z.string()).optional(),
  tags: z.array(z.string()).default([]),
  status: z.enum(["open", "all"]).default("open"),
  limit: z.coerce.number().optional(),
});

describe("queryValues", () => {
  it("passes every value of a parameter the schema declares as an array, even a single one", () => {
    expect(queryValues(schema, { tag: ["work"], tags: ["a", "b"] })).toEqual({ tag: ["work"], tags: ["a", "b"] });
  });

  it("passes the one value of any other parameter", () => {
    expect(queryValues(schema, { status: ["all"], limit: ["5"] })).toEqual({ status: "all", limit: "5" });
  });

  it("refuses a repeated single-valued parameter with a 400 naming it", () => {
    const refusal = (() => {
      try {
        queryValues(schema, { tag: ["a", "b"], status: ["open", "all"] });
      } catch (error) {
        return error as HttpProblem;
      }
    })();
    expect(refusal).toBeInstanceOf(HttpProblem);
    expect(refusal).toMatchObject({ status: 400, errors: [{ field: "query.status" }] });
  });

  it("passes an undeclared parameter through, for the strict schema to name", () => {
    expect(queryValues(schema, { colour: ["red"] })).toEqual({ colour: "red" });
  });
});

describe("isRepeatable", () => {
  it("sees an array under optional, default and nullable", () => {
    expect(
      [z.array(z.string()), z.array(z.string()).optional(), z.array(z.string()).default([]), z.array(z.string()).nullable().optional()].map(isRepeatable),
    ).toEqual([true, true, true, true]);
    expect([z.string(), z.string().optional(), z.coerce.number().default(1)].map(isRepeatable)).toEqual([false, false, false]);
  });
});
