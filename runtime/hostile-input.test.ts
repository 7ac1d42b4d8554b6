/**
 * What a stranger may send that the happy-path specs do not: text PostgreSQL or
 * people cannot use, wrong methods, encodings and charsets, loosely written
 * numbers, repeated parameters, and thousands of errors in one body. Each is a
 * precise 4xx problem naming what is wrong, and changes nothing.
 */
import { gzipSync } from "node:zlib";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { countRows, createTestDatabase, type RowCounts, type TestDatabase } from "../test/database.js";
import { createTaskApi, type TaskApi } from "../test/fixtures.js";
import { HANDLER_FACTORIES } from "../test/functions.js";
import { expectFieldProblem, expectProblem } from "../test/problems.js";
import { authHeaders } from "../test/runtime.js";
import type { TaskJson } from "../tasks/task-schema.js";

let database: TestDatabase;
let api: TaskApi;
let task: TaskJson;
const app = (name: string) => HANDLER_FACTORIES[name]!.app(api.runtime);
beforeAll(async () => {
  database = await createTestDatabase();
  api = createTaskApi(database.db);
  task = await api.newTask("alice", { title: "Kept as it is", tags: ["home"] });
});
afterAll(() => database.drop());

let before: RowCounts;
beforeEach(async () => {
  before = await countRows(database.prisma);
});
const unchanged = () =>
  afterEach(async () => {
    expect(await countRows(database.prisma), "a rejected request changes nothing").toEqual(before);
    expect(await (await api.get("alice", task.id)).json()).toEqual(task);
  });

const post = async (body: string | Uint8Array, headers: Record<string, string> = {}, path = "/api/alice/tasks") =>
  app("createTask").request(path, { method: "POST", headers: { ...(await authHeaders("alice")), ...headers }, body });

describe("text PostgreSQL cannot store, or nobody can read", () => {
  unchanged();

  it.each([
    ["a NUL in the title", { title: "a\u0000b" }, "body.title"],
    ["a NUL in the description", { title: "x", description: "a\u0000b" }, "body.description"],
    ["a NUL in a tag", { title: "x", tags: ["ok", "a\u0000b"] }, "body.tags.1"],
    ["a lone high surrogate in the title", { title: "a\ud800b" }, "body.title"],
    ["a lone low surrogate in a tag", { title: "x", tags: ["\udc00"] }, "body.tags.0"],
    ["a title made only of invisible characters", { title: "\u200b\u200d\u2060 " }, "body.title"],
    ["a tag made only of invisible characters", { title: "x", tags: ["\u200b"] }, "body.tags.0"],
  ])("answers 400 naming the field for %s", async (_what, body, field) => {
    await expectFieldProblem(await post(JSON.stringify(body)), field);
  });

  it("answers 400 for a NUL in a PATCH", async () => {
    await expectFieldProblem(await api.update("alice", task.id, { title: "a\u0000b" }), "body.title");
  });

  it("answers 400 naming path.userId for a NUL in the path's user", async () => {
    const res = await app("listTasks").request("/api/a%00b/tasks", { headers: await authHeaders("a\u0000b") });
    await expectFieldProblem(res, "path.userId");
  });
});

describe("the wrong method on a known path", () => {
  unchanged();

  it.each([
    ["createTask", "PUT", "/api/alice/tasks", "POST"],
    ["createTask", "DELETE", "/api/alice/tasks", "POST"],
    ["createTask", "OPTIONS", "/api/alice/tasks", "POST"],
    ["completeTask", "GET", `/api/alice/tasks/0b7d1a4e-5d7c-4f4e-9a57-6b0c5b8c9d10/complete`, "POST"],
    ["getTask", "PUT", `/api/alice/tasks/0b7d1a4e-5d7c-4f4e-9a57-6b0c5b8c9d10`, "GET, HEAD"],
  ])("%s answers %s %s with 405 and Allow", async (name, method, path, allow) => {
    const res = await app(name).request(path, { method, headers: await authHeaders("alice") });
    await expectProblem(res, 405);
    expect(res.headers.get("allow")).toBe(allow);
  });

  it("still answers 404 for a path it does not serve", async () => {
    await expectProblem(await app("createTask").request("/api/alice/things", { method: "PUT" }), 404);
  });
});

describe("encodings and charsets", () => {
  unchanged();

  it.each([
    ["plain JSON declared as gzip", JSON.stringify({ title: "x" }), { "content-encoding": "gzip" }],
    ["a real gzip body", gzipSync(JSON.stringify({ title: "x" })), { "content-encoding": "gzip" }],
    ["a body declared as deflate", JSON.stringify({ title: "x" }), { "content-encoding": "deflate" }],
    ["a charset other than UTF-8", JSON.stringify({ title: "x" }), { "content-type": "application/json; charset=iso-8859-1" }],
  ])("answers 415 for %s", async (_what, body, headers) => {
    await expectProblem(await post(body, headers), 415);
  });

  it("answers 400 naming the body for bytes that are not UTF-8", async () => {
    const bytes = Buffer.concat([Buffer.from('{"title":"caf'), Buffer.from([0xe9]), Buffer.from('"}')]);
    const problem = await expectFieldProblem(await post(bytes), "body");
    expect(problem.detail).toMatch(/UTF-8/);
  });
});

describe("query parameters", () => {
  unchanged();
  const list = async (query: string) => app("listTasks").request(`/api/alice/tasks?${query}`, { headers: await authHeaders("alice") });

  it.each(["limit=0x10", "limit=%205", "limit=5%20", "limit=1e1", "limit=5.0", "limit=+5", "limit=", "limit=0010000000000000000000"])(
    "answers 400 naming query.limit for %s",
    async (query) => {
      await expectFieldProblem(await list(query), "query.limit");
    },
  );

  it.each(["status=open&status=bogus", "status=open&status=open", "limit=5&limit=6"])("answers 400 for a repeated parameter: %s", async (query) => {
    const field = `query.${query.split("=")[0]}`;
    const problem = await expectFieldProblem(await list(query), field);
    expect(problem.errors).toContainEqual({ field, message: expect.stringMatching(/once/) });
  });
});

describe("a body with thousands of errors", () => {
  unchanged();

  it("lists the first 20 problems and says how many there were", async () => {
    const body = JSON.stringify(Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`k${i}`, 0])));
    const res = await post(body);
    const text = await res.clone().text();
    const problem = await expectProblem(res, 400);
    expect(problem.errors).toHaveLength(20);
    expect(problem).toMatchObject({ errorCount: 5001 });
    expect(problem.detail).toMatch(/and 4981 more/);
    expect(text.length).toBeLessThan(4096);
  });
});

describe("what stays accepted", () => {
  it("a title with visible characters around invisible ones, and emoji (surrogate pairs)", async () => {
    const res = await post(JSON.stringify({ title: "\u200b🌱 plants" }));
    expect(res.status).toBe(201);
    expect(((await res.json()) as TaskJson).title).toBe("\u200b🌱 plants");
  });

  it("an explicit identity encoding and a UTF-8 charset", async () => {
    const res = await post(JSON.stringify({ title: "Explicit" }), { "content-encoding": "identity", "content-type": "application/json; charset=UTF-8" });
    expect(res.status).toBe(201);
  });

  it("a plain decimal limit", async () => {
    expect((await app("listTasks").request("/api/alice/tasks?limit=5", { headers: await authHeaders("alice") })).status).toBe(200);
  });

  it("duplicate tags, stored once each in the order first given", async () => {
    const res = await post(JSON.stringify({ title: "x", tags: ["home", "garden", "home", " garden "] }));
    expect(((await res.json()) as TaskJson).tags).toEqual(["home", "garden"]);
  });
});
