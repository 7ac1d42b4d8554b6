/**
 * A Dapr sidecar stand-in that accepts every publish at once (204), so the
 * outbox's publish round trip is paid as in production without Kafka behind it.
 * It also answers the metadata and health calls the Dapr SDK makes at start-up.
 */
import { createServer } from "node:http";

createServer((req, res) => {
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
}).listen(Number(process.env.PORT), "127.0.0.1");
