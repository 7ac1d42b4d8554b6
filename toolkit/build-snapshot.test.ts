/**
 * A function started from its startup snapshot is the same function as its plain
 * bundle: same answers to the same requests, against the same real PostgreSQL.
 * Both run on the image's Node (the only binary its blob starts on); one
 * function's snapshot is built, createTask's (HTTP, JWT, zod, rrule, outbox).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTask } from "../functions/create-task/definition.js";
import { createTestDatabase, type TestDatabase } from "../test/database.js";
import { TEST_JWT_SECRET, tokenFor } from "../test/runtime.js";
import { SNAPSHOT_BLOB } from "./build-snapshot.js";
import { buildFunctions } from "./build.js";
import { imageNode } from "./image-node.js";
import { freePort } from "./net.js";

let outdir: string;
let database: TestDatabase;
let node: string;
const children: ChildProcess[] = [];

interface Started {
  base: string;
  output: () => string;
}

/** `args` after node, run in the function's folder; resolves once /healthz answers. */
async function start(args: string[]): Promise<Started> {
  const port = await freePort();
  const env = {
    PATH: process.env.PATH,
    DATABASE_URL: database.url,
    AUTH_JWT_SECRET: TEST_JWT_SECRET,
    PORT: String(port),
    HOST: "127.0.0.1",
    // Nothing listens there: events stay in the outbox, as with a sidecar that is down.
    DAPR_HTTP_PORT: String(await freePort()),
    LOG_LEVEL: "warn",
  };
  const child = spawn(node, args, { cwd: join(outdir, "create-task"), env, stdio: ["ignore", "pipe", "pipe"] });
  children.push(child);
  let output = "";
  child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const base = `http://127.0.0.1:${port}`;
  for (const deadline = Date.now() + 15_000; Date.now() < deadline; await new Promise((resolve) => setTimeout(resolve, 50))) {
    if (child.exitCode !== null) break;
    if (
      (await fetch(`${base}/healthz`).then(
        (r) => r.status,
        () => 0,
      )) === 200
    )
      return { base, output: () => output };
  }
  throw new Error(`${args.join(" ")} did not answer /healthz:\n${output}`);
}

interface Answer {
  status: number;
  headers: Record<string, string | null>;
  body: unknown;
}

async function answer(response: Response): Promise<Answer> {
  const headers = Object.fromEntries(["content-type", "www-authenticate"].map((name) => [name, response.headers.get(name)]));
  return { status: response.status, headers, body: await response.json() };
}

const tasksOf = (base: string, userId: string) => `${base}/api/${userId}/tasks`;
const post = async (url: string, body: unknown, token?: string) =>
  answer(
    await fetch(url, {
      method: "POST",
      body: JSON.stringify(body),
      headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    }),
  );

let plain: Started;
let snapshot: Started;

beforeAll(async () => {
  outdir = await mkdtemp(join(tmpdir(), "taskfn-snapshot-"));
  node = await imageNode();
  [database] = await Promise.all([createTestDatabase(), buildFunctions({ outdir, functions: [createTask], snapshotNode: node })]);
  plain = await start(["index.mjs"]);
  snapshot = await start(["--snapshot-blob", SNAPSHOT_BLOB]);
}, 120_000);
afterAll(async () => {
  for (const child of children) child.kill("SIGKILL");
  await database?.drop();
  await rm(outdir, { recursive: true, force: true });
});

describe("a function started from its startup snapshot", () => {
  it("answers /healthz and /readyz as the plain bundle does", async () => {
    for (const path of ["/healthz", "/readyz"]) {
      expect(await answer(await fetch(snapshot.base + path))).toEqual(await answer(await fetch(plain.base + path)));
    }
    expect((await fetch(`${snapshot.base}/readyz`)).status).toBe(200);
  });

  it("refuses a request without a token with the same 401 problem", async () => {
    const fromSnapshot = await post(tasksOf(snapshot.base, "alice"), { title: "x" });
    expect(fromSnapshot.status).toBe(401);
    expect(fromSnapshot).toEqual(await post(tasksOf(plain.base, "alice"), { title: "x" }));
  });

  it("rejects an invalid body with the same 400 problem naming the field", async () => {
    const token = await tokenFor("alice");
    const body = { title: "", recurrence: "FREQ=DAILY" };
    const fromSnapshot = await post(tasksOf(snapshot.base, "alice"), body, token);
    expect(fromSnapshot.status).toBe(400);
    expect(JSON.stringify(fromSnapshot.body)).toContain("title");
    expect(fromSnapshot).toEqual(await post(tasksOf(plain.base, "alice"), body, token));
  });

  it("creates a recurring task with its outbox event as the plain bundle does, with ids of its own", async () => {
    const token = await tokenFor("bob");
    const body = { title: "Water the plants", dueAt: "2026-12-01T09:00:00.000Z", recurrence: "FREQ=WEEKLY;BYDAY=MO,WE", tags: ["home"] };
    const [fromSnapshot, fromPlain] = [await post(tasksOf(snapshot.base, "bob"), body, token), await post(tasksOf(plain.base, "bob"), body, token)];
    expect(fromSnapshot.status, snapshot.output()).toBe(201);
    const comparable = ({ body: task, ...rest }: Answer) => {
      const { id, seriesId, createdAt, updatedAt, ...fields } = task as Record<string, unknown>;
      return { ...rest, fields, distinct: [id, seriesId, createdAt, updatedAt].every((value) => typeof value === "string") };
    };
    expect(comparable(fromSnapshot)).toEqual(comparable(fromPlain));
    const ids = [fromSnapshot, fromPlain].map((a) => (a.body as { id: string }).id);
    expect(new Set(ids).size).toBe(2);

    const rows = await database.prisma.task.findMany({ where: { userId: "bob" }, orderBy: { createdAt: "asc" } });
    expect(rows.map((row) => row.id)).toEqual(ids);
    const events = await database.prisma.outboxEvent.findMany({ where: { partitionKey: "bob" } });
    expect(events.map((event) => (event.cloudEvent as { type: string }).type)).toEqual(["task.created", "task.created"]);
  });
});
