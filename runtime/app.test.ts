import { HTTPException } from "hono/http-exception";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { createUnreachableDatabase } from "../test/database.js";
import { expectProblem } from "../test/problems.js";
import { authHeaders, createRecordingDapr, createTestRuntime, TEST_JWT_SECRET } from "../test/runtime.js";
import { createFunctionApp } from "./app.js";
import { defineFunction } from "./define.js";
import { HttpProblem } from "./problem.js";

// A stand-in function whose handler throws whatever the test puts in `failure`.
let failure: unknown;
const explode = defineFunction({
  name: "explode",
  appId: "explode",
  port: 1,
  description: "test",
  trigger: {
    kind: "http",
    method: "get",
    path: "/api/{userId}/explode",
    summary: "test",
    params: z.strictObject({ userId: z.string() }),
    response: { status: 200, description: "ok" },
  },
});
const tick = defineFunction({ name: "tick", appId: "tick", port: 1, description: "test", trigger: { kind: "binding", binding: "tick-cron" } });

// The database is never reached by these handlers.
const runtime = () => createTestRuntime(createUnreachableDatabase(), createRecordingDapr());
const httpApp = () =>
  createFunctionApp(
    explode,
    async () => {
      throw failure;
    },
    runtime(),
    { auth: { secret: TEST_JWT_SECRET } },
  );
const call = async () => httpApp().request("/api/alice/explode", { headers: await authHeaders("alice") });

describe("errors a handler throws", () => {
  it("an HttpProblem is answered as that problem", async () => {
    failure = new HttpProblem(409, "Already done.", { headers: { "x-hint": "1" } });
    const res = await call();
    expect((await expectProblem(res, 409)).detail).toBe("Already done.");
    expect(res.headers.get("x-hint")).toBe("1");
  });

  it("any other error is a 500 that says nothing about it: no message, no stack, no SQL", async () => {
    failure = new Error('relation "tasks" does not exist: SELECT * FROM tasks WHERE user_id = $1');
    const problem = await expectProblem(await call(), 500);
    expect(problem).toEqual({ type: "about:blank", title: "Internal Server Error", status: 500, detail: "Something went wrong on our side." });
  });

  it("a lost database connection is a 503 with Retry-After", async () => {
    failure = Object.assign(new Error("connect ECONNREFUSED 10.0.0.5:5432"), { code: "ECONNREFUSED" });
    const res = await call();
    expect((await expectProblem(res, 503)).detail).toBe("The task store is unavailable; try again shortly.");
    expect(res.headers.get("retry-after")).toBe("1");
  });

  it("Hono's HTTPException keeps its status", async () => {
    failure = new HTTPException(405, { message: "Nope." });
    expect((await expectProblem(await call(), 405)).detail).toBe("Nope.");
  });

  it("a binding handler's failure is a 500 problem, which Dapr retries", async () => {
    const app = createFunctionApp(
      tick,
      async () => {
        throw new Error("password=hunter2");
      },
      runtime(),
      {},
    );
    const problem = await expectProblem(await app.request("/tick-cron", { method: "POST" }), 500);
    expect(JSON.stringify(problem)).not.toContain("hunter2");
  });
});

describe("createFunctionApp", () => {
  it("refuses to build an HTTP function without auth options", () => {
    expect(() => createFunctionApp(explode, async () => ({ status: 200 }), runtime(), {})).toThrow(/explode: HTTP functions need auth options/);
  });
});
