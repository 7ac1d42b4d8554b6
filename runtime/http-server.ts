/**
 * The Node HTTP server every taskfn process listens with: the functions
 * (serve.ts) and, in development, the gateway and the Dapr stand-in. It bounds
 * how long a client may take, and answers what Node refuses before any route
 * runs (malformed requests, oversized headers, timeouts) as problem+json.
 */
import { createServer, type RequestListener, type Server } from "node:http";
import type { Duplex } from "node:stream";
import { PROBLEM_CONTENT_TYPE, problemDetails } from "./problem.js";

export interface ServerTimeouts {
  /** To receive a request's headers, from the connection's first byte (or the previous request's end). */
  headersMs: number;
  /** To receive a whole request, body included. */
  requestMs: number;
  /** An idle keep-alive connection is closed after this. */
  keepAliveMs: number;
  /** How often Node checks the two above. */
  checkIntervalMs: number;
}

/**
 * A client that trickles its headers or body, or connects and sends nothing,
 * holds a connection for at most these. Bodies are at most 64 KiB and events 4 MB
 * from a sidecar on the same host, so the request time is generous.
 */
export const SERVER_TIMEOUTS: ServerTimeouts = { headersMs: 10_000, requestMs: 30_000, keepAliveMs: 5_000, checkIntervalMs: 1_000 };

export function createHttpServer(listener: RequestListener, timeouts: ServerTimeouts = SERVER_TIMEOUTS): Server {
  const server = createServer(
    { headersTimeout: timeouts.headersMs, requestTimeout: timeouts.requestMs, connectionsCheckingInterval: timeouts.checkIntervalMs },
    listener,
  );
  server.keepAliveTimeout = timeouts.keepAliveMs;
  server.on("clientError", answerClientError);
  return server;
}

const CLIENT_ERROR_DETAILS: Record<number, string> = {
  400: "The request is not valid HTTP/1.1.",
  408: "The request did not arrive in time.",
  431: "The request's headers are too large.",
};

/** Node's own answers here are an empty 400/408/431; this one says the same as problem+json. */
function answerClientError(error: NodeJS.ErrnoException, socket: Duplex): void {
  const answering = (socket as { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  // Nothing can be said on a broken socket, or once an answer has begun on it.
  if (error.code === "ECONNRESET" || !socket.writable || answering?.headersSent) return void socket.destroy();
  const status = error.code === "HPE_HEADER_OVERFLOW" ? 431 : error.code === "ERR_HTTP_REQUEST_TIMEOUT" ? 408 : 400;
  const problem = problemDetails(status, CLIENT_ERROR_DETAILS[status]);
  const body = JSON.stringify(problem);
  socket.end(
    `HTTP/1.1 ${status} ${problem.title}\r\ncontent-type: ${PROBLEM_CONTENT_TYPE}\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
  );
}
