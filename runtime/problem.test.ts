import { describe, expect, it } from "vitest";
import { HttpProblem, PROBLEM_CONTENT_TYPE, problemDetails, problemResponse } from "./problem.js";

describe("problem details (RFC 9457)", () => {
  it("have type about:blank, the status's title and the status", () => {
    expect(problemDetails(404)).toEqual({ type: "about:blank", title: "Not Found", status: 404 });
    expect(problemDetails(413).title).toBe("Content Too Large");
    expect(problemDetails(415).title).toBe("Unsupported Media Type");
  });

  it("carry a detail and field errors only when given", () => {
    expect(problemDetails(400, "body.title: Required", [{ field: "body.title", message: "Required" }])).toEqual({
      type: "about:blank",
      title: "Bad Request",
      status: 400,
      detail: "body.title: Required",
      errors: [{ field: "body.title", message: "Required" }],
    });
    expect(problemDetails(500)).not.toHaveProperty("detail");
    expect(problemDetails(500)).not.toHaveProperty("errors");
  });

  it("fall back to a generic title for a status without one", () => {
    expect(problemDetails(418).title).toBe("HTTP 418");
  });
});

describe("HttpProblem", () => {
  it("is an Error whose message is the detail, or the title without one", () => {
    expect(new HttpProblem(409, "Already there.")).toBeInstanceOf(Error);
    expect(new HttpProblem(409, "Already there.").message).toBe("Already there.");
    expect(new HttpProblem(409).message).toBe("Conflict");
  });

  it("serialises to problem details", () => {
    expect(JSON.parse(JSON.stringify(new HttpProblem(403, "Not yours.")))).toEqual({
      type: "about:blank",
      title: "Forbidden",
      status: 403,
      detail: "Not yours.",
    });
  });
});

describe("problemResponse", () => {
  it("answers with the problem's status, application/problem+json and the problem as body", async () => {
    const res = problemResponse(new HttpProblem(400, "body.title: Required", { errors: [{ field: "body.title", message: "Required" }] }));
    expect(res.status).toBe(400);
    expect(res.headers.get("content-type")).toBe(PROBLEM_CONTENT_TYPE);
    expect(PROBLEM_CONTENT_TYPE).toBe("application/problem+json");
    expect(await res.json()).toMatchObject({ status: 400, errors: [{ field: "body.title" }] });
  });

  it("adds the problem's headers (e.g. WWW-Authenticate, Retry-After) but never lets them replace the content type", async () => {
    const res = problemResponse(new HttpProblem(401, "No token.", { headers: { "www-authenticate": 'Bearer realm="taskfn"', "content-type": "text/html" } }));
    expect(res.headers.get("www-authenticate")).toBe('Bearer realm="taskfn"');
    expect(res.headers.get("content-type")).toBe("application/problem+json");
  });
});
