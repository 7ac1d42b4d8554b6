/**
 * What each function's image would do, without a Docker engine: run the build
 * stage's build, copy into an empty folder only what the `function` stage's
 * COPY --from=build lines name (read from the Dockerfile, so this cannot drift
 * from it), start its CMD there with its ENV, and expect /healthz and /readyz
 * to answer 200, the HEALTHCHECK to pass and SIGTERM to end it cleanly.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { access, cp, mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FUNCTIONS } from "../functions/catalog.js";
import { createTestDatabase, type TestDatabase } from "../test/database.js";
import { NODE_BUNDLE_OPTIONS, buildFunctions } from "../toolkit/build.js";
import { type Dockerfile, envOf, execForm, parseDockerfile, splitFlags, stageNamed, substitute, workdirOf } from "./dockerfile.js";
import { imageNode } from "../toolkit/image-node.js";
import { ROOT } from "../toolkit/paths.js";

const dockerfile: Dockerfile = parseDockerfile(await readFile(join(ROOT, "Dockerfile"), "utf8"));
const functionStage = stageNamed(dockerfile, "function");
const buildStage = stageNamed(dockerfile, "build");
const instructions = (keyword: string) => functionStage.instructions.filter((i) => i.keyword === keyword);

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on("error", reject);
  });
}

async function waitFor200(url: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`exited with ${child.exitCode} before ${url} answered:\n${output()}`);
    const status = await fetch(url).then(
      (r) => r.status,
      () => 0,
    );
    if (status === 200) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${url} did not answer 200 within 10 s:\n${output()}`);
}

describe("the function stage", () => {
  it("starts from a Node LTS image pinned by digest, the Node line the bundles target and package.json requires", () => {
    const pinned = /^node:(\d+)[\w.-]*@sha256:[0-9a-f]{64}$/.exec(functionStage.from);
    expect(pinned, functionStage.from).not.toBeNull();
    const major = pinned![1]!;
    expect(Number(major) % 2, "an even (LTS) line").toBe(0);
    expect(NODE_BUNDLE_OPTIONS.target).toBe(`node${major}`);
    const { engines } = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { engines: { node: string } };
    expect(engines.node).toBe(`>=${major}`);
  });

  it("runs as a numeric non-root user, on port 8080, with a /healthz HEALTHCHECK", () => {
    expect(instructions("USER").at(-1)?.args).toMatch(/^[1-9]\d*(:\d+)?$/);
    expect(envOf(functionStage).PORT).toBe("8080");
    expect(instructions("EXPOSE").map((i) => i.args)).toEqual(["8080"]);
    expect(instructions("HEALTHCHECK")[0]?.args).toContain("/healthz");
  });

  it("gets files only from the build stage, which runs `npm run build -- --snapshots`", () => {
    const copies = [...instructions("COPY"), ...instructions("ADD")];
    expect(copies.length).toBeGreaterThan(0);
    expect(copies.map((copy) => splitFlags(copy.args).flags.from)).toEqual(copies.map(() => "build"));
    expect(buildStage.instructions.filter((i) => i.keyword === "RUN").map((i) => i.args)).toContain("npm run build -- --snapshots");
  });
});

describe("each function's image, rehearsed", () => {
  let buildRoot: string;
  let database: TestDatabase;
  /** The image's node: it builds the snapshots in the build stage and runs CMD. */
  let node: string;
  const imageRoots: string[] = [];

  beforeAll(async () => {
    // The build stage's filesystem: its WORKDIR holds dist/ after `npm run build`.
    buildRoot = await mkdtemp(join(tmpdir(), "taskfn-build-stage-"));
    node = await imageNode();
    await buildFunctions({ outdir: join(buildRoot, "dist"), snapshotNode: node });
    database = await createTestDatabase();
    // Ten snapshot builds, each a whole Node process, one after the other.
  }, 240_000);
  afterAll(async () => {
    await database?.drop();
    await Promise.all([buildRoot, ...imageRoots].filter(Boolean).map((dir) => rm(dir, { recursive: true, force: true })));
  });

  /** The `function` stage for one FUNCTION: returns its WORKDIR inside a fresh folder. */
  async function assembleImage(appId: string): Promise<string> {
    const root = await mkdtemp(join(tmpdir(), `taskfn-image-${appId}-`));
    imageRoots.push(root);
    const vars = { ...dockerfile.globalArgs, FUNCTION: appId };
    const workdir = join(root, workdirOf(dockerfile, functionStage));
    const buildWorkdir = workdirOf(dockerfile, buildStage);
    for (const copy of instructions("COPY")) {
      const operands = splitFlags(copy.args)
        .rest.split(/\s+/)
        .map((operand) => substitute(operand, vars));
      const destination = join(workdir, operands.pop()!);
      for (const source of operands) await cp(join(buildRoot, relative(buildWorkdir, source)), destination, { recursive: true });
    }
    return workdir;
  }

  it.each(FUNCTIONS.map((definition) => [definition.appId, definition] as const))(
    "%s: starts from its own bundle alone and becomes ready",
    async (appId, definition) => {
      const workdir = await assembleImage(appId);
      expect((await readdir(workdir)).sort()).toEqual(["index.mjs", "index.mjs.map", "meta.json", "snapshot.blob", "snapshot.cjs"]);
      // Nothing above the image's folder may lend it packages: Node would resolve them.
      for (let dir = workdir; dir !== dirname(dir); dir = dirname(dir)) {
        await expect(access(join(dir, "node_modules")), dir).rejects.toThrow();
      }

      const port = await freePort();
      const env = {
        PATH: process.env.PATH,
        ...envOf(functionStage),
        PORT: String(port),
        DATABASE_URL: database.url,
        LOG_LEVEL: "warn",
        ...(definition.trigger.kind === "http" ? { AUTH_JWT_SECRET: "rehearsal-secret-0123456789abcdef" } : {}),
      };
      const [command, ...args] = execForm(instructions("CMD").at(-1)!.args);
      expect(command).toBe("node");
      const child = spawn(node, args, { cwd: workdir, env, stdio: ["ignore", "pipe", "pipe"] });
      let output = "";
      child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
      child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
      const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
      try {
        await waitFor200(`http://127.0.0.1:${port}/healthz`, child, () => output);
        await waitFor200(`http://127.0.0.1:${port}/readyz`, child, () => output);

        const healthcheck = execForm(splitFlags(instructions("HEALTHCHECK")[0]!.args).rest.replace(/^CMD\s+/, ""));
        await promisify(execFile)(node, healthcheck.slice(1), { cwd: workdir, env });
      } finally {
        child.kill("SIGTERM");
      }
      expect(await exited, output).toBe(0);
    },
  );
});
