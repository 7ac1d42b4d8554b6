/**
 * What every error answer must be: RFC 9457 problem details served as
 * application/problem+json, naming the offending fields, leaking nothing.
 */
import { expect } from "vitest";
import type { ProblemDetails } from "../runtime/problem.js";

const LEAKS = [/\n\s+at\s/, /node_modules/, /\.[jt]s:\d+/, /prisma/i, /\b(SELECT|INSERT|UPDATE|DELETE FROM|WHERE)\b/, /postgres/i];

/**
 * Asserts `res` is an RFC 9457 problem of `status`, served as application/problem+json,
 * with no stack trace or SQL in it. Returns the parsed problem.
 */
export async function expectProblem(res: Response, status: number): Promise<ProblemDetails> {
  const text = await res.text();
  expect(res.status, text).toBe(status);
  expect(res.headers.get("content-type")).toBe("application/problem+json");
  for (const leak of LEAKS) expect(text).not.toMatch(leak);
  const problem = JSON.parse(text) as ProblemDetails;
  expect(problem).toMatchObject({ type: "about:blank", status, title: expect.any(String) });
  return problem;
}

/** Asserts a 400 problem that names `field` in its errors (and in its detail). */
export async function expectFieldProblem(res: Response, field: string): Promise<ProblemDetails> {
  const problem = await expectProblem(res, 400);
  expect(problem.errors?.map((e) => e.field)).toContain(field);
  expect(problem.detail).toContain(field);
  return problem;
}
