import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Hono } from "hono";
import { afterEach, describe, expect, it } from "vitest";
import { jwtAuth } from "../runtime/auth.js";
import { problemResponse, type HttpProblem } from "../runtime/problem.js";
import { devJwtSecret, mintDevToken } from "./dev-auth.js";

let dir: string | undefined;
afterEach(() => (dir ? rm(dir, { recursive: true, force: true }) : undefined));

describe("devJwtSecret", () => {
  it("creates a private secret once and returns the same one afterwards", async () => {
    dir = join(await mkdtemp(join(tmpdir(), "taskfn-auth-")), "data");
    const first = await devJwtSecret(dir, {});
    expect(first.length).toBeGreaterThanOrEqual(32);
    expect(await devJwtSecret(dir, {})).toBe(first);
    expect((await readFile(join(dir, "dev-secret"), "utf8")).trim()).toBe(first);
    expect((await stat(join(dir, "dev-secret"))).mode & 0o777).toBe(0o600);
  });

  it("uses AUTH_JWT_SECRET when set", async () => {
    dir = await mkdtemp(join(tmpdir(), "taskfn-auth-"));
    expect(await devJwtSecret(dir, { AUTH_JWT_SECRET: "from-env" })).toBe("from-env");
  });
});

describe("mintDevToken", () => {
  it("mints a token the functions' auth accepts for that user only", async () => {
    const app = new Hono().get("/api/:userId/tasks", jwtAuth({ secret: "s3cret-s3cret-s3cret-s3cret" }), (c) => c.text("ok"));
    app.onError((error) => problemResponse(error as HttpProblem));
    const token = await mintDevToken("alice", "s3cret-s3cret-s3cret-s3cret");
    const as = (path: string) => app.request(path, { headers: { authorization: `Bearer ${token}` } });
    expect((await as("/api/alice/tasks")).status).toBe(200);
    expect((await as("/api/bob/tasks")).status).toBe(403);
  });
});
