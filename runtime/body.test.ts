import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readIncomingText } from "./body.js";
import { HttpProblem } from "./problem.js";

// Node's own request, as @hono/node-server and a plain node:http route hand it over.
const LIMIT = 64;
let server: Server;
let port: number;
beforeAll(async () => {
  server = createServer((req, res) => {
    readIncomingText(req, LIMIT).then(
      (text) => res.writeHead(200).end(JSON.stringify({ text })),
      (error: unknown) => res.writeHead(error instanceof HttpProblem ? error.status : 500).end(),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

/** POSTs `chunks` one write at a time (chunked unless a content-length is given). */
function post(chunks: (string | Buffer)[], headers: Record<string, string | number> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, method: "POST", headers, agent: false }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (body += chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("error", reject);
    for (const chunk of chunks) req.write(chunk);
    req.end();
  });
}

describe("readIncomingText", () => {
  it("reads a body sent in one piece", async () => {
    const text = JSON.stringify({ specversion: "1.0", id: "é-1" });
    expect(await post([text], { "content-length": Buffer.byteLength(text) })).toEqual({ status: 200, body: JSON.stringify({ text }) });
  });

  it("joins a body sent in several pieces, a multi-byte character split across two of them", async () => {
    const euro = Buffer.from("€");
    const res = await post(["price: ", euro.subarray(0, 1), euro.subarray(1), " 3"]);
    expect(JSON.parse(res.body)).toEqual({ text: "price: € 3" });
  });

  it("reads an empty body as the empty string", async () => {
    expect(await post([], { "content-length": 0 })).toEqual({ status: 200, body: JSON.stringify({ text: "" }) });
  });

  it("refuses with 413 a body whose content-length is over the limit, before reading it", async () => {
    expect((await post(["x".repeat(LIMIT + 1)], { "content-length": LIMIT + 1 })).status).toBe(413);
  });

  it("refuses with 413 a chunked body that grows past the limit", async () => {
    expect((await post(["x".repeat(LIMIT), "y"])).status).toBe(413);
  });

  it.each([
    ["a compressed body", { "content-encoding": "gzip" }],
    ["a charset other than UTF-8", { "content-type": "application/json; charset=latin1" }],
  ])("refuses with 415 %s, before reading it", async (_what, headers) => {
    expect((await post(["{}"], headers)).status).toBe(415);
  });

  it("refuses with 400 bytes that are not UTF-8, whichever piece they come in", async () => {
    expect((await post(["caf", Buffer.from([0xe9])])).status).toBe(400);
    expect((await post([Buffer.from([0xed, 0xa0, 0x80])])).status).toBe(400); // a surrogate encoded as UTF-8
  });

  it("reads a body declared as identity-encoded UTF-8", async () => {
    const res = await post(["ok"], { "content-encoding": "identity", "content-type": 'application/json; charset="utf-8"' });
    expect(res).toEqual({ status: 200, body: JSON.stringify({ text: "ok" }) });
  });
});
