/**
 * The dev gateway's forwarding, ours (toolkit/forward.ts through createGateway)
 * against Hono's proxy helper (`hono/proxy`, fetch underneath) routing the same
 * request the same way (the same headers added): wrk POSTs bench/lua/create-task.lua's body through each
 * to one echo upstream, alternating rounds. `npx tsx bench/gateway-forward.ts`.
 */
import { Hono } from "hono";
import { getConnInfo } from "@hono/node-server/conninfo";
import { proxy } from "hono/proxy";
import { HTTP_FUNCTIONS } from "../functions/catalog.js";
import { createGateway } from "../toolkit/gateway.js";
import { listen } from "../toolkit/listen.js";
import { runWrk } from "./wrk.js";

const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 5);
const ROUNDS = 2;

const upstream = await listen(new Hono().post("/api/:userId/tasks", async (c) => c.json({ seriesId: "s", bytes: (await c.req.text()).length }, 201)));
const ours = await listen(createGateway({ functions: HTTP_FUNCTIONS, portOf: () => upstream.port }));
const helper = await listen(
  new Hono().post("/api/:userId/tasks", async (c) => {
    const url = new URL(c.req.url);
    const client = getConnInfo(c).remote.address;
    const forwarded = proxy(`http://127.0.0.1:${upstream.port}${url.pathname}${url.search}`, {
      raw: c.req.raw,
      headers: {
        ...c.req.header(),
        host: undefined,
        "x-forwarded-for": [c.req.header("x-forwarded-for"), client].filter(Boolean).join(", "),
        "x-forwarded-host": c.req.header("host") ?? url.host,
        "x-forwarded-proto": url.protocol.replace(":", ""),
      },
    });
    return forwarded.catch(() => c.text("unreachable", 502));
  }),
);

const env = { BENCH_USERS: "alice=not-checked-here" };
for (const connections of [1, 32]) {
  const rps: Record<string, number[]> = { "toolkit/forward.ts": [], "hono/proxy": [] };
  const p99: Record<string, number[]> = { "toolkit/forward.ts": [], "hono/proxy": [] };
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, server] of [
      ["toolkit/forward.ts", ours],
      ["hono/proxy", helper],
    ] as const) {
      const result = await runWrk({ url: `http://127.0.0.1:${server.port}`, script: "create-task.lua", connections, durationS: DURATION_S, env });
      if (result.errors.status + result.errors.body + result.errors.socket > 0) throw new Error(`${name}: errors ${JSON.stringify(result.errors)}`);
      rps[name]!.push(result.rps);
      p99[name]!.push(result.p99);
    }
  }
  for (const name of Object.keys(rps)) {
    const best = Math.max(...rps[name]!);
    console.log(`c=${connections}  ${name.padEnd(20)} ${best.toFixed(0).padStart(6)} req/s (best of ${ROUNDS})  p99 ${Math.min(...p99[name]!).toFixed(2)} ms`);
  }
}
await Promise.all([ours.close(), helper.close(), upstream.close()]);
