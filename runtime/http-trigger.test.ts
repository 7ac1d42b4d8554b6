/**
 * The HTTP pipeline every HTTP function shares, shown on the task API:
 * authenticate (401/403) → size (413) → media type (415) → JSON (400) →
 * schema (400 naming the field) → handler. A rejected request changes nothing.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createTask } from "../functions/create-task/definition.js";
import { createCreateTaskHandler } from "../functions/create-task/handler.js";
import { countRows, createUnreachableDatabase, type RowCounts } from "../test/database.js";
import { useTaskApi } from "../test/fixtures.js";
import { expectFieldProblem, expectProblem } from "../test/problems.js";
import { authHeaders, createTestApp, createTestRuntime, tokenFor } from "../test/runtime.js";
import { CLOCK_LEEWAY_SECONDS } from "./auth.js";
import { MAX_BODY_BYTES, toHonoPath, toHttpResponse } from "./http-trigger.js";

const ctx = useTaskApi(createTask, createCreateTaskHandler);

/** POST /api/alice/tasks with a raw body and headers of our choosing. */
const postRaw = (body: string, headers: Record<string, string>, path = "/api/alice/tasks") => ctx.app.request(path, { method: "POST", headers, body });

// Every request in the "rejected" blocks must leave every table as it was.
let before: RowCounts;
let publishedBefore: number;
const rejected = () => {
  beforeEach(async () => {
    before = await countRows(ctx.database.prisma);
    publishedBefore = ctx.api.dapr.published.length;
  });
  afterEach(async () => {
    expect(await countRows(ctx.database.prisma), "a rejected request changes nothing").toEqual(before);
    expect(ctx.api.dapr.published, "a rejected request emits nothing").toHaveLength(publishedBefore);
  });
};

describe("authentication comes first", () => {
  rejected();

  it("answers 401 with WWW-Authenticate when no token is sent", async () => {
    const res = await postRaw(JSON.stringify({ title: "x" }), { "content-type": "application/json" });
    await expectProblem(res, 401);
    expect(res.headers.get("www-authenticate")).toMatch(/^Bearer realm="taskfn"/);
  });

  it("answers 401 for a token with a bad signature", async () => {
    const token = await tokenFor("alice", { secret: "not-the-secret-the-app-was-given!!" });
    const res = await postRaw(JSON.stringify({ title: "x" }), { authorization: `Bearer ${token}`, "content-type": "application/json" });
    expect((await expectProblem(res, 401)).detail).toBe("The token is not valid.");
    expect(res.headers.get("www-authenticate")).toContain('error="invalid_token"');
  });

  it("answers 401 for an expired token", async () => {
    const token = await tokenFor("alice", { expiresIn: Math.floor(Date.now() / 1000) - CLOCK_LEEWAY_SECONDS - 1 });
    const res = await postRaw(JSON.stringify({ title: "x" }), { authorization: `Bearer ${token}`, "content-type": "application/json" });
    expect((await expectProblem(res, 401)).detail).toBe("The token has expired.");
  });

  it("answers 403 when the token's subject is not the user in the path", async () => {
    const res = await postRaw(JSON.stringify({ title: "x" }), await authHeaders("mallory"));
    await expectProblem(res, 403);
  });

  it("reveals nothing about the body to an anonymous caller: 401 even for malformed or oversized bodies", async () => {
    await expectProblem(await postRaw("{oops", { "content-type": "application/json" }), 401);
    await expectProblem(await postRaw("x".repeat(MAX_BODY_BYTES + 1), { "content-type": "text/plain" }), 401);
  });
});

describe("the body", () => {
  rejected();

  it("answers 413 for a body over 64 KiB, before reading it as JSON", async () => {
    const body = JSON.stringify({ title: "x", description: "d".repeat(MAX_BODY_BYTES) });
    expect(MAX_BODY_BYTES).toBe(64 * 1024);
    await expectProblem(await postRaw(body, await authHeaders("alice")), 413);
  });

  it("does not apply the size limit below 64 KiB (a 60 KiB body reaches validation)", async () => {
    const body = JSON.stringify({ title: "x", description: "d".repeat(60 * 1024) });
    await expectFieldProblem(await postRaw(body, await authHeaders("alice")), "body.description");
  });

  it.each([
    ["text/plain", "text/plain"],
    ["form data", "application/x-www-form-urlencoded"],
    ["no content type", ""],
  ])("answers 415 for %s", async (_what, type) => {
    const headers = { ...(await authHeaders("alice")), "content-type": type };
    if (!type) delete (headers as Record<string, string | undefined>)["content-type"];
    const problem = await expectProblem(await postRaw(JSON.stringify({ title: "x" }), headers), 415);
    expect(problem.detail).toMatch(/application\/json/);
  });

  it("answers 400 naming `body` for malformed JSON", async () => {
    const problem = await expectFieldProblem(await postRaw('{"title": "x",', await authHeaders("alice")), "body");
    expect(problem.detail).toBe("The body is not valid JSON.");
  });

  it.each([
    ["a missing title", {}, "body.title"],
    ["a title of the wrong type", { title: 42 }, "body.title"],
    ["a blank title", { title: "   " }, "body.title"],
    ["a title of 201 characters", { title: "t".repeat(201) }, "body.title"],
    ["a description over 10 000 characters", { title: "x", description: "d".repeat(10_001) }, "body.description"],
    ["21 tags", { title: "x", tags: Array.from({ length: 21 }, (_, i) => `t${i}`) }, "body.tags"],
    ["a tag of 41 characters", { title: "x", tags: ["t".repeat(41)] }, "body.tags.0"],
    ["tags that are not a list", { title: "x", tags: "home" }, "body.tags"],
    ["an unknown priority", { title: "x", priority: "urgent" }, "body.priority"],
    ["a dueAt that is not an ISO date-time", { title: "x", dueAt: "tomorrow" }, "body.dueAt"],
    ["a dueAt without an offset", { title: "x", dueAt: "2030-01-01T09:00:00" }, "body.dueAt"],
    ["an unknown field", { title: "x", colour: "red" }, "body.colour"],
    ["a server-owned field", { title: "x", completed: true }, "body.completed"],
    ["a bad RRULE", { title: "x", dueAt: "2030-01-01T09:00:00Z", recurrence: "FREQ=SOMETIMES" }, "body.recurrence"],
    ["a recurrence without dueAt", { title: "x", recurrence: "FREQ=DAILY" }, "body.dueAt"],
    [
      "a dueAt past the year 9999 on a recurring task (found by the fuzz suite: it answered 500)",
      { title: "x", dueAt: "+010000-01-01T00:00:00.000Z", recurrence: "FREQ=DAILY" },
      "body.dueAt",
    ],
    [
      "a recurrence that never occurs after dueAt",
      { title: "x", dueAt: "2030-01-01T09:00:00Z", recurrence: "FREQ=DAILY;BYMONTH=4;BYMONTHDAY=31" },
      "body.recurrence",
    ],
    ["an array instead of an object", [{ title: "x" }], "body"],
  ])("answers 400 naming the field for %s", async (_what, body, field) => {
    await expectFieldProblem(await postRaw(JSON.stringify(body), await authHeaders("alice")), field);
  });

  it("says what is wrong with a bad RRULE", async () => {
    const res = await postRaw(JSON.stringify({ title: "x", dueAt: "2030-01-01T09:00:00Z", recurrence: "FREQ=DAILY;INTERVAL=0" }), await authHeaders("alice"));
    const problem = await expectFieldProblem(res, "body.recurrence");
    expect(problem.errors).toEqual([{ field: "body.recurrence", message: expect.stringMatching(/^Invalid recurrence: INTERVAL must be/) }]);
  });

  it("names every offending field at once", async () => {
    const problem = await expectProblem(await postRaw(JSON.stringify({ title: "", priority: "urgent", extra: 1 }), await authHeaders("alice")), 400);
    expect(problem.errors?.map((e) => e.field).sort()).toEqual(["body.extra", "body.priority", "body.title"]);
  });
});

describe("path and query", () => {
  rejected();

  it("answers 400 naming path.taskId for a task id that is not a uuid", async () => {
    await expectFieldProblem(await ctx.api.get("alice", "42"), "path.taskId");
  });

  it("answers 400 naming the query parameter for an unknown or invalid one", async () => {
    await expectFieldProblem(await ctx.api.list("alice", { colour: "red" }), "query.colour");
    await expectFieldProblem(await ctx.api.list("alice", { status: "done" }), "query.status");
  });

  it("answers 405 problem+json with Allow for a method the route does not have", async () => {
    const res = await ctx.app.request("/api/alice/tasks", { method: "PUT", headers: await authHeaders("alice"), body: "{}" });
    await expectProblem(res, 405);
    expect(res.headers.get("allow")).toBe("POST");
  });
});

describe("what is accepted", () => {
  it("takes the limits themselves: a 200-character title, 20 tags, a 10 000-character description", async () => {
    const body = { title: "t".repeat(200), tags: Array.from({ length: 20 }, (_, i) => `tag-${i}`), description: "d".repeat(10_000) };
    const res = await postRaw(JSON.stringify(body), await authHeaders("alice"));
    expect(res.status).toBe(201);
  });

  it("takes JSON with a charset parameter and JSON-based media types", async () => {
    for (const type of ["application/json; charset=utf-8", "application/merge-patch+json"]) {
      const res = await postRaw(JSON.stringify({ title: "x" }), { ...(await authHeaders("alice")), "content-type": type });
      expect(res.status, type).toBe(201);
    }
  });

  it("trims the title", async () => {
    const res = await postRaw(JSON.stringify({ title: "  Water plants  " }), await authHeaders("alice"));
    expect(await res.json()).toMatchObject({ title: "Water plants" });
  });
});

// Bodies as Node receives them: with a content-length, or chunked with none.
describe("sized and chunked bodies", () => {
  /** POSTs `chunks` as a chunked body (no content-length), one chunk at a time. */
  const postChunked = (chunks: string[], headers: Record<string, string>) =>
    ctx.app.request("/api/alice/tasks", {
      method: "POST",
      headers,
      body: new ReadableStream({
        start(controller) {
          for (const chunk of chunks) controller.enqueue(new TextEncoder().encode(chunk));
          controller.close();
        },
      }),
      duplex: "half",
      signal: AbortSignal.timeout(5_000),
    } as RequestInit);

  it("creates a task from a body with a content-length", async () => {
    const res = await ctx.app.request("/api/alice/tasks", { method: "POST", headers: await authHeaders("alice"), body: JSON.stringify({ title: "Sized" }) });
    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({ title: "Sized" });
  });

  it("creates a task from a chunked body", async () => {
    const res = await postChunked(['{"title":', '"Chunked"}'], await authHeaders("alice"));
    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({ title: "Chunked" });
  });

  describe("rejected", () => {
    rejected();

    it("answers 413 for a declared content-length over 64 KiB, before the media type", async () => {
      const headers = { ...(await authHeaders("alice")), "content-type": "text/plain" };
      await expectProblem(await ctx.app.request("/api/alice/tasks", { method: "POST", headers, body: "x".repeat(MAX_BODY_BYTES + 1) }), 413);
    });

    it("answers 413 for a chunked body that grows past 64 KiB, even of the wrong type", async () => {
      const json = await authHeaders("alice");
      await expectProblem(await postChunked(['{"title":"', "x".repeat(MAX_BODY_BYTES), '"}'], json), 413);
      await expectProblem(await postChunked(["x".repeat(MAX_BODY_BYTES), "y"], { ...json, "content-type": "text/plain" }), 413);
    });

    it("answers 415, then 400, for a chunked body within the limit", async () => {
      const json = await authHeaders("alice");
      await expectProblem(await postChunked(['{"title":"x"}'], { ...json, "content-type": "text/plain" }), 415);
      await expectFieldProblem(await postChunked(['{"title":', ""], json), "body");
    });

    it("answers 401 before reading the body", async () => {
      await expectProblem(await postChunked(["x".repeat(MAX_BODY_BYTES + 1)], { "content-type": "application/json" }), 401);
    });
  });
});

describe("when the database is down", () => {
  it("answers 503 problem+json with Retry-After and no driver details", async () => {
    const down = createTestApp(createTask, createCreateTaskHandler, createTestRuntime(createUnreachableDatabase()));
    const res = await down.request("/api/alice/tasks", { method: "POST", headers: await authHeaders("alice"), body: JSON.stringify({ title: "x" }) });
    expect(res.headers.get("retry-after")).toBe("1");
    expect((await expectProblem(res, 503)).detail).toBe("The task store is unavailable; try again shortly.");
  });
});

describe("toHonoPath and toHttpResponse", () => {
  it("turns OpenAPI path templates into Hono routes", () => {
    expect(toHonoPath("/api/{userId}/tasks/{taskId}/complete")).toBe("/api/:userId/tasks/:taskId/complete");
  });

  it("serves a result body as application/json with the result's headers", async () => {
    const res = toHttpResponse({ status: 201, body: { id: 1 }, headers: { location: "/x/1" } });
    expect(res.status).toBe(201);
    expect(res.headers.get("content-type")).toBe("application/json");
    expect(res.headers.get("location")).toBe("/x/1");
    expect(await res.json()).toEqual({ id: 1 });
  });

  it("sends no body for 204", async () => {
    const res = toHttpResponse({ status: 204, body: { ignored: true } });
    expect(res.status).toBe(204);
    expect(await res.text()).toBe("");
  });
});
