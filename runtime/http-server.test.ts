/**
 * The server under clients that break HTTP or take their time, on a real socket:
 * every answer Node gives on its own is problem+json, and no client holds a
 * connection longer than the timeouts.
 */
import { connect, type AddressInfo } from "node:net";
import type { Server } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHttpServer, SERVER_TIMEOUTS, type ServerTimeouts } from "./http-server.js";

// Short enough for a test, in the same proportions as the real ones.
const FAST: ServerTimeouts = { headersMs: 300, requestMs: 600, keepAliveMs: 200, checkIntervalMs: 50 };

let server: Server;
let port: number;
beforeAll(async () => {
  server = createHttpServer((req, res) => {
    req.resume();
    req.on("end", () => res.writeHead(200, { "content-type": "text/plain" }).end("ok"));
  }, FAST);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))));

interface Exchange {
  /** Everything the server sent before it closed the connection. */
  answer: string;
  /** How long the connection stayed open. */
  ms: number;
}

/** Opens a connection, writes each piece `everyMs` apart, and waits (at most 5 s) for the server to close it. */
function exchange(pieces: string[], everyMs = 0): Promise<Exchange> {
  return new Promise((resolve) => {
    const started = Date.now();
    const socket = connect(port, "127.0.0.1");
    let answer = "";
    const writes = pieces.map((piece, i) => setTimeout(() => socket.writable && socket.write(piece), i * everyMs));
    const bound = setTimeout(() => socket.destroy(), 5_000);
    socket.on("data", (chunk) => (answer += chunk.toString()));
    socket.on("error", () => {});
    socket.on("close", () => {
      writes.forEach(clearTimeout);
      clearTimeout(bound);
      resolve({ answer, ms: Date.now() - started });
    });
  });
}

function expectProblemAnswer(answer: string, status: number): void {
  const [head, body] = answer.split("\r\n\r\n");
  expect(head).toMatch(new RegExp(`^HTTP/1\\.1 ${status} `));
  expect(head).toMatch(/content-type: application\/problem\+json/i);
  expect(JSON.parse(body!)).toMatchObject({ type: "about:blank", status, detail: expect.any(String) });
}

describe("what Node refuses before any route runs", () => {
  it.each([
    ["a malformed request line", ["NOT HTTP AT ALL\r\n\r\n"], 400],
    ["conflicting Content-Length and Transfer-Encoding", ["POST / HTTP/1.1\r\nhost: x\r\ncontent-length: 3\r\ntransfer-encoding: chunked\r\n\r\nabc"], 400],
    ["a malformed chunked body", ["POST / HTTP/1.1\r\nhost: x\r\ntransfer-encoding: chunked\r\n\r\nzz\r\nnope\r\n\r\n"], 400],
    ["headers over Node's limit", [`GET / HTTP/1.1\r\nhost: x\r\nauthorization: Bearer ${"a".repeat(20_000)}\r\n\r\n`], 431],
  ])("answers %s as problem+json", async (_what, pieces, status) => {
    expectProblemAnswer((await exchange(pieces)).answer, status);
  });
});

describe("slow clients", () => {
  it("closes a connection that never sends anything after the headers timeout", async () => {
    const { ms } = await exchange([]);
    expect(ms).toBeLessThan(FAST.headersMs + 4 * FAST.checkIntervalMs + 500);
  });

  it("answers 408 to a client that trickles its headers", async () => {
    const trickle = ["GET / HTTP/1.1\r\n", ...Array.from({ length: 40 }, (_, i) => `x-${i}: y\r\n`)];
    const { answer, ms } = await exchange(trickle, 50);
    expectProblemAnswer(answer, 408);
    expect(ms).toBeLessThan(FAST.headersMs + 4 * FAST.checkIntervalMs + 500);
  });

  it("answers 408 to a client that trickles its body", async () => {
    const trickle = ["POST / HTTP/1.1\r\nhost: x\r\ncontent-length: 100\r\n\r\n", ...Array.from({ length: 40 }, () => "x")];
    const { answer, ms } = await exchange(trickle, 50);
    expectProblemAnswer(answer, 408);
    expect(ms).toBeLessThan(FAST.requestMs + 4 * FAST.checkIntervalMs + 500);
  });

  it("closes an idle keep-alive connection after the keep-alive timeout", async () => {
    const { answer, ms } = await exchange(["GET / HTTP/1.1\r\nhost: x\r\n\r\n"]);
    expect(answer).toMatch(/^HTTP\/1\.1 200 /);
    // Node waits up to a second past keepAliveTimeout (its own margin against racing a client's reuse).
    expect(ms).toBeLessThan(FAST.keepAliveMs + 1_500);
  });

  it("applies the real timeouts to a server made without options", () => {
    const real = createHttpServer(() => {});
    expect([real.headersTimeout, real.requestTimeout, real.keepAliveTimeout]).toEqual([
      SERVER_TIMEOUTS.headersMs,
      SERVER_TIMEOUTS.requestMs,
      SERVER_TIMEOUTS.keepAliveMs,
    ]);
    expect(real.listenerCount("clientError")).toBe(1);
  });
});
