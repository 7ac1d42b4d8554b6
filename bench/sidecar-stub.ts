/**
 * A Dapr sidecar stand-in that accepts every publish at once (204), so the
 * outbox's publish round trip is paid as in production without Kafka behind it.
 * It also answers the metadata and health calls the Dapr SDK makes at start-up.
 */
import { createServer } from "node:http";

const server = createServer((req, res) => {
  req.resume();
  req.on("end", () => {
    const url = req.url ?? "";
    if (req.method === "POST" && url.startsWith("/v1.0/publish/")) {
      res.writeHead(204).end();
    } else if (url.startsWith("/v1.0/metadata")) {
      res.writeHead(200, { "content-type": "application/json" }).end('{"id":"bench","components":[]}');
    } else if (url.startsWith("/v1.0/healthz")) {
      res.writeHead(204).end();
    } else {
      res.writeHead(404).end();
    }
  });
});
// Every server under test pools keep-alive connections to it and then waits while the
// others are measured. Past Node's default keep-alive timeout (5 s) this server closed
// them, and a publish that took a pooled socket just as it closed failed with "socket
// hang up", counted against whichever server it hit: keep them for the whole run.
server.keepAliveTimeout = 60 * 60_000;
server.listen(Number(process.env.PORT), "127.0.0.1");
