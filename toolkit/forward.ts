/**
 * Streams a request to a server on loopback and its answer back, as a reverse
 * proxy does: bodies pass through untouched (never buffered or decompressed),
 * every end-to-end header is kept, hop-by-hop headers are dropped.
 *
 * Not Hono's proxy helper (`hono/proxy`): it passes the hostile-client tests
 * (toolkit/gateway.test.ts), but through fetch it forwards far fewer requests
 * per second, at a higher p99, than this on node:http (`npx tsx bench/gateway-forward.ts`;
 * the figures are in ARCHITECTURE.md).
 */
import { request as httpRequest, type OutgoingHttpHeaders } from "node:http";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { ReadableStream as NodeReadableStream } from "node:stream/web";

const HOP_BY_HOP = new Set(["connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailer", "transfer-encoding", "upgrade", "host"]);

export interface ForwardTarget {
  port: number;
  /** Path and query string on the target. */
  path: string;
  /** Added or replaced on the way in. */
  headers?: Record<string, string>;
  /** Removed on the way in (lower-case names). */
  dropHeaders?: readonly string[];
}

/** Rejects when the target cannot be reached (e.g. ECONNREFUSED); the caller picks the error answer. */
export function forward(request: Request, { port, path, headers = {}, dropHeaders = [] }: ForwardTarget): Promise<Response> {
  const outgoing: OutgoingHttpHeaders = {};
  request.headers.forEach((value, key) => {
    if (!HOP_BY_HOP.has(key) && !dropHeaders.includes(key)) outgoing[key] = value;
  });
  Object.assign(outgoing, headers);

  return new Promise((resolve, reject) => {
    const upstream = httpRequest({ host: "127.0.0.1", port, method: request.method, path, headers: outgoing }, (answer) => {
      const answerHeaders = new Headers();
      for (const [key, value] of Object.entries(answer.headers)) {
        if (value === undefined || HOP_BY_HOP.has(key)) continue;
        for (const item of Array.isArray(value) ? value : [value]) answerHeaders.append(key, item);
      }
      const status = answer.statusCode ?? 502;
      const noBody = status === 204 || status === 304 || request.method === "HEAD";
      if (noBody) answer.resume();
      const body = noBody ? null : (Readable.toWeb(answer) as unknown as ReadableStream<Uint8Array>);
      resolve(new Response(body, { status, statusText: answer.statusMessage, headers: answerHeaders }));
    });
    // Settled once; later errors (the target hanging up mid-answer) only end the exchange.
    upstream.on("error", reject);
    if (!request.body) return void upstream.end();
    // A client that hangs up or sends a broken chunked body errors the request stream:
    // that ends this exchange (upstream is destroyed with it), never the process.
    pipeline(Readable.fromWeb(request.body as NodeReadableStream<Uint8Array>), upstream).catch(reject);
  });
}
