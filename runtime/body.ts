import { isUtf8 } from "node:buffer";
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
export async function readBodyText(c: Context, maxBytes: number): Promise<string> {
  const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
  if (incoming) return readIncomingText(incoming, maxBytes);
  checkEncoding(c.req.header("content-encoding"), c.req.header("content-type"));
  return decodeUtf8(Buffer.from(await c.req.arrayBuffer()));
}

/**
 * The body of Node's request as text. Rejects with an HttpProblem: 413 past
 * `maxBytes`, 415 for a content encoding or charset it does not read, 400 for
 * bytes that are not UTF-8.
 */
export function readIncomingText(incoming: IncomingMessage, maxBytes: number): Promise<string> {
  const declared = Number(incoming.headers["content-length"] ?? 0);
  if (declared > maxBytes) return Promise.reject(tooLarge(maxBytes));
  try {
    checkEncoding(incoming.headers["content-encoding"], incoming.headers["content-type"]);
  } catch (error) {
    return Promise.reject(error as HttpProblem);
  }
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
    incoming.once("end", () => {
      try {
        resolve(decodeUtf8(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)));
      } catch (error) {
        reject(error as HttpProblem);
      }
    });
    incoming.once("error", reject);
  });
}

/**
 * Bodies are read as sent, in UTF-8 (RFC 8259's only encoding for JSON). A
 * compressed body is refused, not inflated: a few KiB of gzip can inflate to
 * gigabytes, and no client of this API needs it for bodies of at most 64 KiB.
 */
function checkEncoding(contentEncoding: string | undefined, contentType: string | undefined): void {
  const encoding = contentEncoding?.trim().toLowerCase();
  if (encoding && encoding !== "identity") {
    throw new HttpProblem(415, `Send the body uncompressed (got content-encoding ${contentEncoding}).`, { headers: { "accept-encoding": "identity" } });
  }
  const charset = /;\s*charset\s*=\s*"?([^";\s]*)/i.exec(contentType ?? "")?.[1];
  if (charset !== undefined && charset.toLowerCase() !== "utf-8") {
    throw new HttpProblem(415, `Send the body in UTF-8 (got charset ${charset}).`);
  }
}

function decodeUtf8(bytes: Buffer): string {
  if (!isUtf8(bytes)) throw new HttpProblem(400, "The body is not valid UTF-8.", { errors: [{ field: "body", message: "Not valid UTF-8." }] });
  return bytes.toString("utf8");
}

function tooLarge(maxBytes: number): HttpProblem {
  return new HttpProblem(413, `The body exceeds ${maxBytes} bytes.`);
}
