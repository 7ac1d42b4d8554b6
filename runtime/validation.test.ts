import { describe, expect, it } from "vitest";
import { z } from "zod";
import { HttpProblem } from "./problem.js";
import { fieldErrors, parseInput } from "./validation.js";

const Body = z.strictObject({ title: z.string().max(5), tags: z.array(z.string()).max(2).optional(), nested: z.object({ n: z.number() }).optional() });

function problemOf(run: () => unknown): HttpProblem {
  try {
    run();
  } catch (error) {
    if (error instanceof HttpProblem) return error;
    throw error;
  }
  throw new Error("expected a problem");
}

describe("parseInput", () => {
  it("returns the parsed value when it is valid", () => {
    expect(parseInput(Body, { title: "hi" }, "body")).toEqual({ title: "hi" });
  });

  it("throws a 400 problem naming each offending field with its part (body, query, path)", () => {
    const problem = problemOf(() => parseInput(Body, { title: 5, tags: ["a", 1] }, "body"));
    expect(problem.status).toBe(400);
    expect(problem.errors?.map((e) => e.field).sort()).toEqual(["body.tags.1", "body.title"]);
    expect(problem.detail).toMatch(/^body\.(title|tags\.1): .+; body\.(title|tags\.1): .+$/);
  });

  it("names nested fields by their dotted path", () => {
    expect(problemOf(() => parseInput(Body, { title: "x", nested: { n: "1" } }, "body")).errors).toEqual([
      { field: "body.nested.n", message: expect.any(String) },
    ]);
  });

  it("names every unknown field, one error each, as 'Unknown field.'", () => {
    const problem = problemOf(() => parseInput(Body, { title: "x", colour: "red", size: 3 }, "body"));
    expect(problem.errors).toEqual([
      { field: "body.colour", message: "Unknown field." },
      { field: "body.size", message: "Unknown field." },
    ]);
  });

  it("names the whole part when the value is not an object at all", () => {
    expect(problemOf(() => parseInput(Body, [1, 2], "body")).errors).toEqual([{ field: "body", message: expect.any(String) }]);
    expect(problemOf(() => parseInput(z.strictObject({ limit: z.coerce.number().max(10) }), { limit: "11" }, "query")).errors?.[0]?.field).toBe("query.limit");
  });
});

describe("fieldErrors", () => {
  it("keeps zod's message for each issue", () => {
    const result = z.object({ title: z.string().min(1, "Say something.") }).safeParse({ title: "" });
    expect(result.success).toBe(false);
    expect(fieldErrors(result.error!, "path")).toEqual([{ field: "path.title", message: "Say something." }]);
  });
});
