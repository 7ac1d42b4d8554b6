import { connect } from "node:net";
import { Hono } from "hono";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HTTP_FUNCTIONS } from "../functions/catalog.js";
import { createGateway } from "./gateway.js";
import { listen, type Listening } from "./listen.js";

let upstream: Listening;
let gateway: Listening;
let down: Listening;
const seen: { method: string; path: string; headers: Record<string, string>; body: string }[] = [];

beforeAll(async () => {
  upstream = await listen(
    new Hono().all("*", async (c) => {
      const body = await c.req.text();
      seen.push({ method: c.req.method, path: c.req.url.slice(c.req.url.indexOf("/api")), headers: Object.fromEntries(c.req.raw.headers), body });
      return c.json({ echoed: body.length }, 201, { location: "/api/alice/tasks/42", "x-fn": "yes" });
    }),
  );
  down = await listen(new Hono());
  await down.close();
  // Every function on the echo server, except deleteTask, whose port nothing listens on.
  gateway = await listen(createGateway({ functions: HTTP_FUNCTIONS, portOf: (d) => (d.name === "deleteTask" ? down.port : upstream.port) }));
});
afterAll(async () => {
  await gateway.close();
  await upstream.close();
});

const url = (path: string) => `http://127.0.0.1:${gateway.port}${path}`;

describe("gateway routing", () => {
  it("forwards method, path, query, headers and body, and returns the function's status, headers and body", async () => {
    const res = await fetch(url("/api/alice/tasks?status=all"), {
      method: "POST",
      headers: { authorization: "Bearer abc", "content-type": "application/json" },
      body: '{"title":"x"}',
    });
    expect([res.status, res.headers.get("location"), res.headers.get("x-fn"), await res.json()]).toEqual([201, "/api/alice/tasks/42", "yes", { echoed: 13 }]);
    expect(seen.at(-1)).toMatchObject({
      method: "POST",
      path: "/api/alice/tasks?status=all",
      body: '{"title":"x"}',
      headers: { authorization: "Bearer abc", "content-type": "application/json", "x-forwarded-proto": "http", "x-forwarded-for": "127.0.0.1" },
    });
  });

  it("streams large bodies through unchanged", async () => {
    const big = "x".repeat(3 * 1024 * 1024);
    const res = await fetch(url("/api/alice/tasks/0b7d1a4e-5d7c-4f4e-9a57-6b0c5b8c9d10"), { method: "PATCH", body: big });
    expect(await res.json()).toEqual({ echoed: big.length });
  });

  it("answers 405 problem+json with Allow for a known path with another method, from every function serving it", async () => {
    for (const [method, path, allow] of [
      ["PUT", "/api/alice/tasks", "GET, HEAD, POST"],
      ["DELETE", "/api/alice/tasks", "GET, HEAD, POST"],
      ["OPTIONS", "/api/alice/tasks", "GET, HEAD, POST"],
      ["GET", "/api/alice/tasks/0b7d1a4e-5d7c-4f4e-9a57-6b0c5b8c9d10/complete", "POST"],
      ["PUT", "/api/alice/tasks/0b7d1a4e-5d7c-4f4e-9a57-6b0c5b8c9d10", "DELETE, GET, HEAD, PATCH"],
    ]) {
      const res = await fetch(url(path!), { method });
      expect([res.status, res.headers.get("allow"), res.headers.get("content-type")]).toEqual([405, allow, "application/problem+json"]);
    }
    const trace = await sendRaw("TRACE /api/alice/tasks HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n", { hangUp: false });
    expect(trace).toMatch(/^HTTP\/1\.1 405 [^]*allow: GET, HEAD, POST/i);
  });

  it("answers 404 problem+json for a route no function serves", async () => {
    for (const [method, path] of [
      ["GET", "/api/alice"],
      ["PUT", "/api/alice/things"],
      ["GET", "/nothing"],
    ]) {
      const res = await fetch(url(path!), { method });
      expect(res.status).toBe(404);
      expect(res.headers.get("content-type")).toBe("application/problem+json");
      expect(await res.json()).toMatchObject({ type: "about:blank", title: "Not Found", status: 404 });
    }
  });

  it("answers 502 problem+json when the function is down", async () => {
    const res = await fetch(url("/api/alice/tasks/0b7d1a4e-5d7c-4f4e-9a57-6b0c5b8c9d10"), { method: "DELETE" });
    expect([res.status, res.headers.get("content-type")]).toEqual([502, "application/problem+json"]);
    expect(await res.json()).toMatchObject({ status: 502, title: "Bad Gateway" });
  });
});

/** Writes `raw` on a fresh socket to the gateway, then (optionally) hangs up before the request is complete. */
function sendRaw(raw: string, { hangUp }: { hangUp: boolean }): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(gateway.port, "127.0.0.1", () => {
      socket.write(raw);
      if (hangUp) setTimeout(() => socket.destroy(), 50);
    });
    let answer = "";
    socket.on("data", (chunk) => (answer += chunk.toString()));
    socket.on("close", () => resolve(answer));
    socket.on("error", () => resolve(answer));
  });
}

describe("gateway under hostile clients", () => {
  const head = (extra: string) => `POST /api/alice/tasks HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\n${extra}\r\n`;

  it("keeps serving after a client gives up in the middle of a body", async () => {
    await sendRaw(`${head("content-length: 1000\r\n")}{"title":"hal`, { hangUp: true });
    await sendRaw(`${head("transfer-encoding: chunked\r\n")}5\r\n{"tit\r\n`, { hangUp: true });
    const res = await fetch(url("/api/alice/tasks"), { method: "POST", body: "{}" });
    expect(res.status).toBe(201);
  });

  it("answers a malformed chunked body without ending the process", async () => {
    const answer = await sendRaw(`${head("transfer-encoding: chunked\r\n")}zz\r\nnot a chunk\r\n0\r\n\r\n`, { hangUp: false });
    expect(answer).toMatch(/^HTTP\/1\.1 400 [^]*content-type: application\/problem\+json/i);
    expect((await fetch(url("/api/alice/tasks"), { method: "POST", body: "{}" })).status).toBe(201);
  });
});

describe("what Node refuses before any route runs", () => {
  it("is answered as problem+json by the gateway too", async () => {
    const answer = await sendRaw("POST /api/alice/tasks HTTP/1.1\r\nhost: x\r\ncontent-length: 3\r\ntransfer-encoding: chunked\r\n\r\nabc", { hangUp: false });
    expect(answer).toMatch(/^HTTP\/1\.1 400 [^]*content-type: application\/problem\+json/i);
  });
});

describe("API documentation", () => {
  it("serves OpenAPI 3.1 for every HTTP function, with bearer JWT security and problem+json errors", async () => {
    const doc = (await (await fetch(url("/openapi.json"))).json()) as {
      openapi: string;
      paths: Record<string, Record<string, { operationId: string; responses: Record<string, unknown>; security: unknown }>>;
      components: { securitySchemes: Record<string, unknown> };
    };
    expect(doc.openapi).toBe("3.1.0");
    const operations = Object.entries(doc.paths).flatMap(([path, methods]) => Object.entries(methods).map(([method, op]) => ({ path, method, ...op })));
    expect(operations.map((o) => o.operationId).sort()).toEqual(HTTP_FUNCTIONS.map((f) => f.name).sort());
    expect(operations).toHaveLength(HTTP_FUNCTIONS.length);
    for (const op of operations) {
      expect(op.security).toEqual([{ bearerAuth: [] }]);
      for (const status of ["400", "401", "403", "404"])
        expect(op.responses[status]).toMatchObject({ content: { "application/problem+json": { schema: { $ref: "#/components/schemas/Problem" } } } });
    }
    const create = operations.find((o) => o.operationId === "createTask")!;
    expect(Object.keys(create.responses)).toEqual(expect.arrayContaining(["201", "413", "415"]));
    const reopen = operations.find((o) => o.operationId === "reopenTask")!;
    expect(reopen).toMatchObject({
      path: "/api/{userId}/tasks/{taskId}/reopen",
      method: "post",
      responses: { "409": { content: { "application/problem+json": {} } } },
    });
    expect(doc.components.securitySchemes.bearerAuth).toEqual({ type: "http", scheme: "bearer", bearerFormat: "JWT" });
  });

  it("documents every listTasks query parameter, tag as a repeatable one", async () => {
    const doc = (await (await fetch(url("/openapi.json"))).json()) as {
      paths: Record<string, Record<string, { parameters: { name: string; in: string; schema: { type?: string; enum?: string[] } }[] }>>;
    };
    const parameters = doc.paths["/api/{userId}/tasks"]!.get!.parameters.filter((p) => p.in === "query");
    expect(parameters.map((p) => p.name).sort()).toEqual([
      "cursor",
      "dueAfter",
      "dueBefore",
      "limit",
      "order",
      "overdue",
      "priority",
      "q",
      "sort",
      "status",
      "tag",
    ]);
    const byName = Object.fromEntries(parameters.map((p) => [p.name, p.schema]));
    expect(byName.tag).toMatchObject({ type: "array" });
    expect(byName.sort).toMatchObject({ enum: ["createdAt", "dueAt", "priority", "updatedAt"] });
    expect(byName.order).toMatchObject({ enum: ["asc", "desc"] });
  });

  it("serves Swagger UI on /docs, reading /openapi.json", async () => {
    const res = await fetch(url("/docs"));
    expect(res.headers.get("content-type")).toMatch(/text\/html/);
    expect(await res.text()).toContain("/openapi.json");
  });
});
