/**
 * Serves a fetch handler (a Hono app) on loopback: the gateway, the Dapr
 * stand-in and the small apps of the tests all listen this way, on the same
 * server as the functions (timeouts, problem+json for what Node refuses).
 */
import type { AddressInfo } from "node:net";
import { getRequestListener } from "@hono/node-server";
import { createHttpServer } from "../runtime/http-server.js";

export interface Listening {
  port: number;
  /** Stops accepting and drops idle keep-alive connections, so close does not wait on them. */
  close(): Promise<void>;
}

/** Port 0 (the default) picks a free one. Rejects when the port is taken. */
export function listen(app: { fetch: (request: Request) => Response | Promise<Response> }, port = 0): Promise<Listening> {
  return new Promise((resolve, reject) => {
    const server = createHttpServer(getRequestListener(app.fetch));
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () =>
      resolve({
        port: (server.address() as AddressInfo).port,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      }),
    );
  });
}
