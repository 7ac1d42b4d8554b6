/**
 * The contract every function keeps, whatever it does: run against each
 * definition in the catalog with its real handler. A new function joins this
 * suite by being added to the catalog (and to test/functions.ts, or this fails).
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FUNCTIONS } from "../functions/catalog.js";
import type { FunctionRuntime } from "../runtime/app.js";
import { eventTypesOf, subscriberPath, toSubscription } from "../runtime/topic-trigger.js";
import { toHonoPath } from "../runtime/http-trigger.js";
import type { BindingTrigger, FunctionDefinition, HttpTrigger, TopicTrigger } from "../runtime/types.js";
import { createTestDatabase, createUnreachableDatabase, type TestDatabase } from "./database.js";
import { deliver } from "./events.js";
import { HANDLER_FACTORIES } from "./functions.js";
import { expectProblem } from "./problems.js";
import { authHeaders, createRecordingDapr, createTestRuntime, TEST_APP_API_TOKEN } from "./runtime.js";

let database: TestDatabase;
let runtime: FunctionRuntime;
beforeAll(async () => {
  database = await createTestDatabase();
  runtime = createTestRuntime(database.db, createRecordingDapr());
});
afterAll(() => database.drop());

const kebab = (name: string) => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
const appOf = (definition: FunctionDefinition, rt: FunctionRuntime = runtime, security: { appApiToken?: string } = {}) =>
  HANDLER_FACTORIES[definition.name]!.app(rt, security);
/** The function's path for alice, with a task id where it takes one. */
const concretePath = (trigger: HttpTrigger) => trigger.path.replace("{userId}", "alice").replace("{taskId}", randomUUID());

describe("the catalog", () => {
  it("has a real handler factory for every function", () => {
    for (const definition of FUNCTIONS) {
      expect(HANDLER_FACTORIES[definition.name], definition.name).toBeDefined();
      expect(HANDLER_FACTORIES[definition.name]!.definition).toBe(definition);
    }
    expect(Object.keys(HANDLER_FACTORIES).sort()).toEqual(FUNCTIONS.map((f) => f.name).sort());
  });

  it("gives each function a unique name, app id (its name in kebab-case) and port", () => {
    for (const { name, appId } of FUNCTIONS) expect(appId).toBe(kebab(name));
    for (const key of ["name", "appId", "port"] as const) {
      expect(new Set(FUNCTIONS.map((f) => f[key])).size, key).toBe(FUNCTIONS.length);
    }
  });

  it("never has two HTTP functions on the same method and path", () => {
    const routes = FUNCTIONS.filter((f) => f.trigger.kind === "http").map(
      (f) => `${(f.trigger as HttpTrigger).method} ${toHonoPath((f.trigger as HttpTrigger).path)}`,
    );
    expect(new Set(routes).size).toBe(routes.length);
  });
});

describe.each(FUNCTIONS.map((definition) => [definition.name, definition] as const))("%s", (_name, definition) => {
  it("answers GET /healthz with 200", async () => {
    const res = await appOf(definition).request("/healthz");
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: "ok" });
  });

  it("answers GET /readyz with 200 when the database answers", async () => {
    const res = await appOf(definition).request("/readyz");
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: "ready" });
  });

  it("answers GET /readyz with 503 problem+json when the database is unreachable", async () => {
    const down = createTestRuntime(createUnreachableDatabase(), createRecordingDapr());
    const problem = await expectProblem(await appOf(definition, down).request("/readyz"), 503);
    expect(problem.detail).toBe("The database is unreachable.");
  });

  it("answers an unknown route with 404 problem+json", async () => {
    const app = appOf(definition);
    for (const [method, path] of [
      ["GET", "/nope"],
      ["POST", "/api"],
    ] as const) {
      expect((await expectProblem(await app.request(path, { method }), 404)).detail).toBe("No such route.");
    }
  });

  it("answers another method on a path it serves with 405 problem+json and Allow", async () => {
    const res = await appOf(definition).request("/healthz", { method: "DELETE" });
    await expectProblem(res, 405);
    expect(res.headers.get("allow")).toBe("GET, HEAD");
  });

  if (definition.trigger.kind === "http") {
    const trigger = definition.trigger;
    const method = trigger.method.toUpperCase();

    it(`has its route: ${method} ${trigger.path}, which answers 401 + WWW-Authenticate without a token`, async () => {
      const res = await appOf(definition).request(concretePath(trigger), { method });
      await expectProblem(res, 401);
      expect(res.headers.get("www-authenticate")).toMatch(/^Bearer /);
    });

    it("answers 403 to a token for another user", async () => {
      const res = await appOf(definition).request(concretePath(trigger), {
        method,
        headers: await authHeaders("mallory"),
        ...(trigger.body ? { body: "{}" } : {}),
      });
      await expectProblem(res, 403);
    });

    it("answers its owner with a success or a problem+json, never a 5xx", async () => {
      const res = await appOf(definition).request(concretePath(trigger), {
        method,
        headers: await authHeaders("alice"),
        ...(trigger.body ? { body: "{}" } : {}),
      });
      expect(res.status).toBeLessThan(500);
      if (res.status >= 400) expect((await expectProblem(res, res.status)).detail).not.toBe("No such route.");
      else expect(res.status).toBe(trigger.response.status);
    });

    it("answers any other method on its path with 405 problem+json, Allow naming its own", async () => {
      const res = await appOf(definition).request(concretePath(trigger), { method: "PUT", headers: await authHeaders("alice") });
      await expectProblem(res, 405);
      expect(res.headers.get("allow")).toBe(method === "GET" ? "GET, HEAD" : method);
    });
  }

  if (definition.trigger.kind === "topic") {
    const trigger: TopicTrigger = definition.trigger;
    const route = subscriberPath(trigger);

    it("serves exactly its subscription on GET /dapr/subscribe", async () => {
      const res = await appOf(definition).request("/dapr/subscribe");
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual([toSubscription(definition as FunctionDefinition<TopicTrigger>)]);
    });

    it(`answers a malformed event on ${route} with DROP`, async () => {
      expect(await deliver(appOf(definition), route, "{malformed")).toBe("DROP");
    });

    it("never answers 404 on its route, whatever arrives", async () => {
      const app = appOf(definition);
      for (const body of [
        "",
        "null",
        "[]",
        JSON.stringify({ specversion: "1.0" }),
        JSON.stringify({ specversion: "1.0", id: "x", source: "/s", type: eventTypesOf(trigger)[0], data: {} }),
      ]) {
        const res = await app.request(route, { method: "POST", headers: { "content-type": "text/plain" }, body });
        expect(res.status, body).toBe(200);
        expect(await res.json()).toEqual({ status: "DROP" });
      }
    });

    it("acknowledges the topic's other event types on its default route", async () => {
      const subscription = toSubscription(definition as FunctionDefinition<TopicTrigger>);
      const other = { specversion: "1.0", id: "other-1", source: "/taskfn/test", type: "something.else", data: {} };
      expect(await deliver(appOf(definition), subscription.routes.default, JSON.stringify(other))).toBe("SUCCESS");
    });
  }

  if (definition.trigger.kind === "binding") {
    const trigger: BindingTrigger = definition.trigger;
    const path = `/${trigger.binding}`;

    it(`answers OPTIONS ${path} with 2xx (Dapr skips a binding whose probe fails)`, async () => {
      const res = await appOf(definition).request(path, { method: "OPTIONS" });
      expect(res.status).toBeGreaterThanOrEqual(200);
      expect(res.status).toBeLessThan(300);
    });

    it(`answers POST ${path} with 200 and a JSON summary`, async () => {
      const res = await appOf(definition).request(path, { method: "POST" });
      expect(res.status).toBe(200);
      expect(await res.json()).toBeTypeOf("object");
    });
  }

  describe("with APP_API_TOKEN set", () => {
    const secured = () => appOf(definition, runtime, { appApiToken: TEST_APP_API_TOKEN });
    const daprRoutes: [string, string, string?][] =
      definition.trigger.kind === "topic"
        ? [
            ["GET", "/dapr/subscribe"],
            ["POST", subscriberPath(definition.trigger), "{}"],
          ]
        : definition.trigger.kind === "binding"
          ? [
              ["OPTIONS", `/${definition.trigger.binding}`],
              ["POST", `/${definition.trigger.binding}`],
            ]
          : [];

    if (daprRoutes.length > 0) {
      it("refuses its Dapr-facing routes with 401 problem+json without the dapr-api-token, or with a wrong one", async () => {
        for (const [method, path, body] of daprRoutes) {
          await expectProblem(await secured().request(path, { method, body }), 401);
          await expectProblem(await secured().request(path, { method, body, headers: { "dapr-api-token": "wrong" } }), 401);
          await expectProblem(await secured().request(path, { method, body, headers: { "dapr-api-token": `${TEST_APP_API_TOKEN}x` } }), 401);
        }
      });

      it("serves its Dapr-facing routes to the sidecar's token", async () => {
        for (const [method, path, body] of daprRoutes) {
          const res = await secured().request(path, { method, body, headers: { "dapr-api-token": TEST_APP_API_TOKEN, "content-type": "application/json" } });
          expect(res.status, `${method} ${path}`).toBeGreaterThanOrEqual(200);
          expect(res.status, `${method} ${path}`).toBeLessThan(300);
        }
      });
    }

    it("keeps /healthz and /readyz open to probes that have no token", async () => {
      expect((await secured().request("/healthz")).status).toBe(200);
      expect((await secured().request("/readyz")).status).toBe(200);
    });
  });
});
