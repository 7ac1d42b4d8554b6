import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { SHUTDOWN_DEADLINE_SECONDS } from "../runtime/lifecycle.js";
import { freePort } from "./net.js";
import { answers, launch, STOP_GRACE_MS } from "./process.js";

const node = (script: string) => ({ command: process.execPath, args: ["-e", script], env: { PATH: process.env.PATH ?? "" } });
const server = (port: number, onTerm = "process.exit(0)") =>
  node(`require("node:http").createServer((q, s) => s.end("ok")).listen(${port}, "127.0.0.1"); process.on("SIGTERM", () => { ${onTerm} })`);

describe("launch", () => {
  it("gives a function longer than its own drain deadline before it kills it", () => {
    expect(STOP_GRACE_MS).toBeGreaterThan(SHUTDOWN_DEADLINE_SECONDS * 1000);
  });

  it("resolves once the readiness check passes, and stop() ends the process gracefully", async () => {
    const port = await freePort();
    const lines: string[] = [];
    const running = await launch({
      name: "web",
      ...server(port, 'console.log("draining"); process.exit(0)'),
      output: (line) => lines.push(line),
      ready: answers(port, "/"),
    });
    expect(running.readyMs).toBeGreaterThan(0);
    expect(running.alive()).toBe(true);
    await running.stop();
    expect(await running.exited).toMatchObject({ code: 0, stopped: true });
    expect(lines).toEqual(["draining"]);
  });

  it("fails with the exit and the last lines printed when the process dies before it is ready", async () => {
    const port = await freePort();
    await expect(
      launch({ name: "broken", ...node('console.error("no config"); process.exit(3)'), output: () => {}, ready: answers(port, "/") }),
    ).rejects.toThrow(/broken exited \(code 3\)[\s\S]*no config/);
  });

  it("kills a process that ignores SIGTERM after the grace period", async () => {
    const port = await freePort();
    const running = await launch({ name: "stubborn", ...server(port, ""), output: () => {}, ready: answers(port, "/"), graceMs: 200 });
    await running.stop();
    expect(await running.exited).toMatchObject({ signal: "SIGKILL" });
  });

  it("stop() resolves only once the process's last lines were delivered, so nothing arrives after its log was closed", async () => {
    const lines: string[] = [];
    // The shell exits at once; what it started prints after that exit, on the same output.
    const running = await launch({
      name: "late",
      command: "sh",
      args: ["-c", "(sleep 0.3; echo late) & echo early"],
      env: {},
      output: (line) => lines.push(line),
    });
    await running.exited;
    await running.stop();
    expect(lines).toEqual(["early", "late"]);
  });

  it("writes the output to a file when asked, for processes being measured", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "taskfn-launch-")), "out.log");
    const running = await launch({ name: "quiet", ...node('console.log("to the file")'), output: { file } });
    await running.exited;
    expect(readFileSync(file, "utf8")).toBe("to the file\n");
    expect(running.tail()).toContain("to the file");
  });
});
