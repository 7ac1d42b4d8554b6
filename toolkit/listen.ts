/**
 * Serves a fetch handler (a Hono app) on loopback: the gateway, the Dapr
 * stand-in and the small apps of the tests all listen this way.
 */
import { serve } from "@hono/node-server";

export interface Listening {
  port: number;
  /** Stops accepting and drops idle keep-alive connections, so close does not wait on them. */
  close(): Promise<void>;
}

/** Port 0 (the default) picks a free one. Rejects when the port is taken. */
export function listen(app: { fetch: (request: Request) => Response | Promise<Response> }, port = 0): Promise<Listening> {
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: app.fetch, port, hostname: "127.0.0.1" }, (info) =>
      resolve({
        port: info.port,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            if ("closeAllConnections" in server) server.closeAllConnections();
          }),
      }),
    );
    server.once("error", reject);
  });
}
