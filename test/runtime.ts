/**
 * Serves a function the way serve.ts does (its node:http listener, on a
 * loopback port), on a test database and with a Dapr client double that
 * records what would have reached the sidecar.
 */
import type { RequestListener } from "node:http";
import type { AddressInfo } from "node:net";
import { pino } from "pino";
import { createFunctionRuntime, type FunctionRuntime, type HandlerFactory } from "../runtime/app.js";
import { createHttpServer } from "../runtime/http-server.js";
import { createFunctionListener } from "../runtime/node-listener.js";
import type { BindingRequest, DaprClient, PublishRequest } from "../runtime/dapr-client.js";
import { RetryableError } from "../runtime/errors.js";
import type { Database } from "../runtime/database.js";
import type { FunctionDefinition, Trigger } from "../runtime/types.js";
import type { TaskfnCloudEvent } from "../runtime/cloud-event.js";
import { mintDevToken } from "../toolkit/dev-auth.js";

export const TEST_JWT_SECRET = "test-secret-that-is-long-enough-for-hs256";
export const TEST_APP_API_TOKEN = "test-app-api-token";

export interface RecordingDapr extends DaprClient {
  published: (PublishRequest & { cloudEvent: TaskfnCloudEvent })[];
  bindings: BindingRequest[];
  components: Set<string>;
  /** While true every call fails as if the sidecar were down. */
  down: boolean;
  /** Called before a publish is recorded; throw from it to make the sidecar refuse that one event. */
  beforePublish?: (request: PublishRequest) => void | Promise<void>;
  /** Called before an output binding call is recorded; throw from it to make the binding fail. */
  beforeBinding?: (request: BindingRequest) => void;
}

export function createRecordingDapr(components: string[] = []): RecordingDapr {
  const dapr: RecordingDapr = {
    published: [],
    bindings: [],
    components: new Set(components),
    down: false,
    async publish(request) {
      if (dapr.down) throw new RetryableError("sidecar down (test)");
      await dapr.beforePublish?.(request);
      dapr.published.push(request as RecordingDapr["published"][number]);
    },
    async invokeBinding(request) {
      if (dapr.down) throw new RetryableError("sidecar down (test)");
      dapr.beforeBinding?.(request);
      dapr.bindings.push(request);
    },
    async hasComponent(name) {
      if (dapr.down) throw new RetryableError("sidecar down (test)");
      return dapr.components.has(name);
    },
  };
  return dapr;
}

export function createTestRuntime(db: Database, dapr: DaprClient = createRecordingDapr(), name = "test"): FunctionRuntime {
  return createFunctionRuntime(name, { db, dapr, log: pino({ level: "silent" }) });
}

/** A served function, asked the way Hono's app.request() is: a path and fetch's options. */
export interface TestApp {
  request(path: string, init?: RequestInit): Promise<Response>;
}

/** Serves `listener` on a free loopback port with serve.ts's server, started on the first request. */
export function serveForTest(listener: RequestListener): TestApp {
  let origin: Promise<string> | undefined;
  const start = () =>
    new Promise<string>((resolve) => {
      const server = createHttpServer(listener);
      // Nothing to close after the test file: the server does not keep its worker alive.
      server.unref();
      server.listen(0, "127.0.0.1", () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`));
    });
  return {
    async request(path, init) {
      origin ??= start();
      return fetch(`${await origin}${path}`, init);
    },
  };
}

export function createTestApp<T extends Trigger>(
  definition: FunctionDefinition<T>,
  createHandler: HandlerFactory<T>,
  runtime: FunctionRuntime,
  security: { appApiToken?: string } = {},
): TestApp {
  // Wired as serve.ts wires it: the events' source names this function.
  const rt = createFunctionRuntime(definition.name, runtime);
  return serveForTest(createFunctionListener(definition, createHandler(rt), rt, { auth: { secret: TEST_JWT_SECRET }, ...security }));
}

export interface TokenOptions {
  secret?: string;
  /** A duration ("5m") or an absolute expiry in epoch seconds (in the past for an expired token). */
  expiresIn?: string | number;
}

export function tokenFor(userId: string, { secret = TEST_JWT_SECRET, expiresIn = "5m" }: TokenOptions = {}): Promise<string> {
  return mintDevToken(userId, secret, expiresIn);
}

export async function authHeaders(userId: string): Promise<Record<string, string>> {
  return { authorization: `Bearer ${await tokenFor(userId)}`, "content-type": "application/json" };
}
