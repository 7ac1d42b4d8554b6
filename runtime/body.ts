import type { IncomingMessage } from "node:http";
import type { Context } from "hono";
import { HttpProblem } from "./problem.js";

/**
 * The request body as text. Under @hono/node-server it is read straight from
 * Node's IncomingMessage: `c.req.text()`/`json()` would first build a WHATWG
 * Request around it (an undici Request, an AbortController and a web
 * ReadableStream over the socket), which costs more CPU than the rest of a small
 * event's handling. Elsewhere (`app.request()` in tests) the standard way.
 */
export function readBodyText(c: Context, maxBytes: number): Promise<string> {
  const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
  return incoming ? readIncomingText(incoming, maxBytes) : c.req.text();
}

/** The body of Node's request as text; rejects with a 413 HttpProblem past `maxBytes`. */
export function readIncomingText(incoming: IncomingMessage, maxBytes: number): Promise<string> {
  const declared = Number(incoming.headers["content-length"] ?? 0);
  if (declared > maxBytes) return Promise.reject(tooLarge(maxBytes));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    incoming.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        incoming.removeAllListeners("data");
        incoming.resume();
        reject(tooLarge(maxBytes));
      } else chunks.push(chunk);
    });
    // An event fits in one chunk: decode it where it is instead of copying it first.
    incoming.once("end", () => resolve(chunks.length === 1 ? chunks[0]!.toString("utf8") : Buffer.concat(chunks).toString("utf8")));
    incoming.once("error", reject);
  });
}

function tooLarge(maxBytes: number): HttpProblem {
  return new HttpProblem(413, `The body exceeds ${maxBytes} bytes.`);
}
