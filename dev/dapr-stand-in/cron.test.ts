import { Hono } from "hono";
import { afterEach, describe, expect, it } from "vitest";
import type { Component } from "./components.js";
import { startCronBindings, type CronScheduler } from "./cron.js";
import { listen, type Listening } from "../../toolkit/listen.js";
import { eventually, fastResiliency, silentLog } from "./test-support.js";

interface BindingApp {
  server: Listening;
  calls: string[];
}

async function bindingApp(options: { optionsStatus: number; postStatuses?: number[] }): Promise<BindingApp> {
  const calls: string[] = [];
  const statuses = options.postStatuses ?? [200];
  const app = new Hono().on(["OPTIONS", "POST"], "/tick-cron", (c) => {
    calls.push(`${c.req.method} ${c.req.header("dapr-api-token") ?? ""}`);
    if (c.req.method === "OPTIONS") return c.body(null, options.optionsStatus as 200);
    const posts = calls.filter((call) => call.startsWith("POST")).length;
    return c.json({ done: true }, statuses[Math.min(posts, statuses.length) - 1] as 200);
  });
  return { server: await listen(app), calls };
}

const cron = (schedule: string, scopes: string[], metadata: Record<string, string> = { direction: "input" }): Component => ({
  name: "tick-cron",
  type: "bindings.cron",
  version: "v1",
  metadata: { schedule, ...metadata },
  scopes,
});

let servers: Listening[] = [];
let scheduler: CronScheduler | undefined;
afterEach(async () => {
  scheduler?.stop();
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
});

function start(components: Component[], apps: Record<string, BindingApp>) {
  servers.push(...Object.values(apps).map((a) => a.server));
  scheduler = startCronBindings({
    components,
    apps: Object.entries(apps).map(([appId, a]) => ({ appId, port: a.server.port, appApiToken: `${appId}-token` })),
    resiliency: fastResiliency(3),
    log: silentLog,
    signal: new AbortController().signal,
    isAppHealthy: () => true,
  });
}

describe("startCronBindings", () => {
  it("POSTs every tick to each app in scope, without asking first when the direction is explicit", async () => {
    const apps = { ticker: await bindingApp({ optionsStatus: 404 }), outsider: await bindingApp({ optionsStatus: 200 }) };
    start([cron("@every 40ms", ["ticker"])], apps);
    await eventually(() => apps.ticker.calls.length >= 2);
    expect(apps.ticker.calls.slice(0, 2)).toEqual(["POST ticker-token", "POST ticker-token"]);
    expect(apps.outsider.calls).toEqual([]);
  });

  it("without a direction, asks each app OPTIONS once and ticks only those that accept (2xx or 405)", async () => {
    const apps = {
      ticker: await bindingApp({ optionsStatus: 200 }),
      "method-not-allowed": await bindingApp({ optionsStatus: 405 }),
      refuser: await bindingApp({ optionsStatus: 404 }),
      outsider: await bindingApp({ optionsStatus: 200 }),
    };
    start([cron("@every 40ms", ["ticker", "method-not-allowed", "refuser"], {})], apps);
    await eventually(() => apps.ticker.calls.length >= 3 && apps["method-not-allowed"].calls.length >= 3);
    expect(apps.ticker.calls.slice(0, 3)).toEqual(["OPTIONS ticker-token", "POST ticker-token", "POST ticker-token"]);
    expect(apps.refuser.calls).toEqual(["OPTIONS refuser-token"]);
    expect(apps.outsider.calls).toEqual([]);
  });

  it("ticks every app when the component has no scopes", async () => {
    const apps = { one: await bindingApp({ optionsStatus: 200 }), two: await bindingApp({ optionsStatus: 200 }) };
    start([cron("@every 40ms", [])], apps);
    await eventually(() => apps.one.calls.includes("POST one-token") && apps.two.calls.includes("POST two-token"));
  });

  it("retries a tick answered with anything but 200 per the binding's inbound policy (6-field cron schedule)", async () => {
    const apps = { flaky: await bindingApp({ optionsStatus: 200, postStatuses: [503, 202, 200] }) };
    const posts: number[] = [];
    start([cron("* * * * * *", [])], apps);
    await eventually(() => {
      if (apps.flaky.calls.filter((c) => c.startsWith("POST")).length > posts.length) posts.push(Date.now());
      return posts.length >= 3;
    }, 3_000);
    // Retries 20 ms apart, not three ticks a second apart.
    expect(posts[2]! - posts[0]!).toBeLessThan(500);
  });

  it("stops ticking when stopped", async () => {
    const apps = { ticker: await bindingApp({ optionsStatus: 200 }) };
    start([cron("@every 30ms", [])], apps);
    await eventually(() => apps.ticker.calls.length >= 2);
    scheduler!.stop();
    const count = apps.ticker.calls.length;
    await new Promise((resolve) => setTimeout(resolve, 120));
    expect(apps.ticker.calls.length).toBeLessThanOrEqual(count + 1);
  });
});
