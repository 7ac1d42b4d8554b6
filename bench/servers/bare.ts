/** The cold-start and memory floor: a bare node:http server answering /healthz. */
import { createServer } from "node:http";

createServer((req, res) => {
  res.writeHead(req.url === "/healthz" || req.url === "/readyz" ? 200 : 404, { "content-type": "application/json" });
  res.end('{"status":"ok"}');
}).listen(Number(process.env.PORT), "127.0.0.1");

// Exit through process.exit so that `node --cpu-prof` writes its profile.
process.once("SIGTERM", () => process.exit(0));
