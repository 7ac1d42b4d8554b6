import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FUNCTIONS } from "../functions/catalog.js";
import { createTask } from "../functions/create-task/definition.js";
import { relayOutbox } from "../functions/relay-outbox/definition.js";
import { listen } from "./listen.js";
import { createTestDatabase, type TestDatabase } from "../test/database.js";
import { buildFunctions, type BuildReport } from "./build.js";

let outdir: string;
let report: BuildReport;
let database: TestDatabase;
let child: ChildProcess | undefined;

beforeAll(async () => {
  outdir = await mkdtemp(join(tmpdir(), "taskfn-build-"));
  [report, database] = await Promise.all([buildFunctions({ outdir, functions: [createTask, relayOutbox] }), createTestDatabase()]);
});
afterAll(async () => {
  child?.kill("SIGKILL");
  await database.drop();
  await rm(outdir, { recursive: true, force: true });
});

describe("buildFunctions", () => {
  it("writes one bundle, its source map and its metafile per function, and nothing else", async () => {
    expect(report.functions.map((f) => f.appId)).toEqual(["create-task", "relay-outbox"]);
    expect((await readdir(outdir)).sort()).toEqual(["create-task", "relay-outbox"]);
    expect((await readdir(join(outdir, "create-task"))).sort()).toEqual(["index.mjs", "index.mjs.map", "meta.json"]);
  });

  it("puts only what a function imports in its bundle", async () => {
    const inputsOf = async (appId: string) => Object.keys(JSON.parse(await readFile(join(outdir, appId, "meta.json"), "utf8")).inputs as object);
    const createInputs = await inputsOf("create-task");
    const otherFunctions = FUNCTIONS.filter((f) => f.appId !== "create-task").map((f) => `functions/${f.appId}/`);
    expect(createInputs).toContain("functions/create-task/handler.ts");
    expect(createInputs.filter((input) => otherFunctions.some((dir) => input.startsWith(dir)))).toEqual([]);
    // The relay publishes rows as stored: it needs neither the task schemas nor rrule.
    expect((await inputsOf("relay-outbox")).filter((input) => input.includes("rrule") || input.startsWith("tasks/"))).toEqual([]);
  });

  it("makes a bundle that starts alone, outside the repository, and answers /healthz and /readyz", async () => {
    const probe = await listen({ fetch: () => new Response() });
    const port = probe.port;
    await probe.close();
    const output: string[] = [];
    child = spawn(process.execPath, [join(outdir, "create-task", "index.mjs")], {
      cwd: outdir,
      env: { PATH: process.env.PATH, DATABASE_URL: database.url, AUTH_JWT_SECRET: "build-test-secret", PORT: String(port), HOST: "127.0.0.1" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    child.stdout!.on("data", (chunk) => output.push(String(chunk)));
    child.stderr!.on("data", (chunk) => output.push(String(chunk)));

    const deadline = Date.now() + 15_000;
    let ready: Response | undefined;
    while (!ready?.ok && Date.now() < deadline && child.exitCode === null) {
      ready = await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => undefined);
      if (!ready?.ok) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(ready?.status, output.join("")).toBe(200);
    expect(await (await fetch(`http://127.0.0.1:${port}/healthz`)).json()).toEqual({ status: "ok" });

    child.kill("SIGTERM");
    const code = await new Promise((resolve) => child!.once("exit", resolve));
    expect(code, output.join("")).toBe(0);
  });
});
