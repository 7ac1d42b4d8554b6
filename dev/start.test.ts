/**
 * Smoke test of `npm start`: the whole stack from a fresh data folder on
 * loopback ports of its own (embedded PostgreSQL, bundles, ten processes, the
 * Dapr stand-in, the gateway), exercised through the gateway.
 */
import { connect } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HTTP_FUNCTIONS } from "../functions/catalog.js";
import type { TaskJson } from "../tasks/task-schema.js";
import type { RunningDev } from "./start.js";
import { startIsolatedDev } from "./test-stack.js";

let dev: RunningDev;
const output: string[] = [];

beforeAll(async () => {
  dev = await startIsolatedDev(output);
}, 120_000);

afterAll(async () => {
  await dev?.stop();
}, 60_000);

describe("npm start (startDev)", () => {
  it("prints a banner with the gateway, the docs and a curl to paste", () => {
    const text = output.join("\n");
    expect(text).toContain(`taskfn is ready in`);
    expect(text).toContain(`${dev.gatewayUrl}/docs`);
    expect(text).toMatch(/curl -i -X POST .*\/api\/demo\/tasks/);
  });

  it("serves the OpenAPI document listing a route per HTTP function", async () => {
    const doc = (await (await fetch(`${dev.gatewayUrl}/openapi.json`)).json()) as { paths: Record<string, object> };
    const operations = Object.values(doc.paths).flatMap((methods) => Object.keys(methods));
    expect(operations).toHaveLength(HTTP_FUNCTIONS.length);
  });

  it("creates a task through the gateway with a dev token, and carries events through the stand-in", async () => {
    const headers = { authorization: `Bearer ${await dev.mintToken("smoke")}`, "content-type": "application/json" };
    const created = await fetch(`${dev.gatewayUrl}/api/smoke/tasks`, {
      method: "POST",
      headers,
      body: JSON.stringify({ title: "Water plants", dueAt: "2030-01-01T09:00:00Z", recurrence: "FREQ=DAILY" }),
    });
    expect(created.status, output.join("\n")).toBe(201);
    const task = (await created.json()) as TaskJson;
    expect(created.headers.get("location")).toBe(`/api/smoke/tasks/${task.id}`);

    // task.completed → the stand-in → onTaskCompleted creates the next occurrence.
    const completed = await fetch(`${dev.gatewayUrl}/api/smoke/tasks/${task.id}/complete`, { method: "POST", headers });
    expect(completed.status).toBe(200);
    const listOpen = async () => ((await (await fetch(`${dev.gatewayUrl}/api/smoke/tasks`, { headers })).json()) as { items: TaskJson[] }).items;
    let open = await listOpen();
    for (const deadline = Date.now() + 15_000; !open.some((t) => t.occurrence === 2) && Date.now() < deadline; open = await listOpen()) {
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(open, output.join("\n")).toEqual([
      expect.objectContaining({ title: "Water plants", occurrence: 2, seriesId: task.seriesId, dueAt: "2030-01-02T09:00:00.000Z" }),
    ]);
  });

  it("refuses a request without a token", async () => {
    const res = await fetch(`${dev.gatewayUrl}/api/smoke/tasks`);
    expect([res.status, res.headers.get("content-type")]).toEqual([401, "application/problem+json"]);
  });

  it("keeps serving after clients hang up mid-body and send broken chunked bodies", async () => {
    const token = await dev.mintToken("smoke");
    const head = `POST /api/smoke/tasks HTTP/1.1\r\nhost: x\r\nauthorization: Bearer ${token}\r\ncontent-type: application/json\r\n`;
    const port = Number(new URL(dev.gatewayUrl).port);
    const raw = (text: string, hangUpAfterMs?: number) =>
      new Promise<string>((resolve) => {
        let answer = "";
        const socket = connect(port, "127.0.0.1", () => {
          socket.write(text);
          if (hangUpAfterMs !== undefined) setTimeout(() => socket.destroy(), hangUpAfterMs);
        });
        const bound = setTimeout(() => socket.destroy(), 5_000);
        socket.on("data", (chunk) => (answer += chunk.toString()));
        socket.on("error", () => {});
        socket.on("close", () => (clearTimeout(bound), resolve(answer)));
      });
    await raw(`${head}content-length: 1000\r\n\r\n{"title":"half`, 100);
    await raw(`${head}transfer-encoding: chunked\r\n\r\n5\r\n{"tit\r\n`, 100);
    expect(await raw(`${head}transfer-encoding: chunked\r\n\r\nzz\r\nnope\r\n0\r\n\r\n`)).toMatch(/^HTTP\/1\.1 400 [^]*application\/problem\+json/i);
    const res = await fetch(`${dev.gatewayUrl}/api/smoke/tasks`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: '{"title":"Still here"}',
    });
    expect(res.status, output.join("\n")).toBe(201);
    expect(output.join("\n")).not.toMatch(/exited with code|was killed by/);
  });
});
