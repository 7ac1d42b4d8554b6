/**
 * Builds a function's app the way serve.ts does, on a test database and with a
 * Dapr client double that records what would have reached the sidecar.
 */
import { SignJWT } from "jose";
import type { Hono } from "hono";
import { pino } from "pino";
import { createFunctionApp, type FunctionRuntime, type HandlerFactory } from "../runtime/app.js";
import type { BindingRequest, DaprClient, PublishRequest } from "../runtime/dapr-client.js";
import { RetryableError } from "../runtime/errors.js";
import type { Database } from "../runtime/database.js";
import type { FunctionDefinition, Trigger } from "../runtime/types.js";
import { createUnitOfWork } from "../runtime/unit-of-work.js";
import type { TaskfnCloudEvent } from "../runtime/cloud-event.js";

export const TEST_JWT_SECRET = "test-secret-that-is-long-enough-for-hs256";
export const TEST_APP_API_TOKEN = "test-app-api-token";

export interface RecordingDapr extends DaprClient {
  published: (PublishRequest & { cloudEvent: TaskfnCloudEvent })[];
  bindings: BindingRequest[];
  components: Set<string>;
  /** While true every call fails as if the sidecar were down. */
  down: boolean;
}

export function createRecordingDapr(): RecordingDapr {
  const dapr: RecordingDapr = {
    published: [],
    bindings: [],
    components: new Set(),
    down: false,
    async publish(request) {
      if (dapr.down) throw new RetryableError("sidecar down (test)");
      dapr.published.push(request as RecordingDapr["published"][number]);
    },
    async invokeBinding(request) {
      if (dapr.down) throw new RetryableError("sidecar down (test)");
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
  const log = pino({ level: "silent" });
  return { db, dapr, log, uow: createUnitOfWork({ db, dapr, pubsub: "pubsub", log, source: `/taskfn/${name}` }) };
}

export function createTestApp<T extends Trigger>(
  definition: FunctionDefinition<T>,
  createHandler: HandlerFactory<T>,
  runtime: FunctionRuntime,
  security: { appApiToken?: string } = {},
): Hono {
  const rt = { ...runtime, uow: createUnitOfWork({ db: runtime.db, dapr: runtime.dapr, pubsub: "pubsub", log: runtime.log, source: `/taskfn/${definition.name}` }) };
  return createFunctionApp(definition, createHandler(rt), rt, { auth: { secret: TEST_JWT_SECRET }, ...security });
}

export function tokenFor(userId: string, { secret = TEST_JWT_SECRET, expiresIn = "5m" } = {}): Promise<string> {
  return new SignJWT({}).setProtectedHeader({ alg: "HS256" }).setSubject(userId).setIssuedAt().setExpirationTime(expiresIn).sign(new TextEncoder().encode(secret));
}

export async function authHeaders(userId: string): Promise<Record<string, string>> {
  return { authorization: `Bearer ${await tokenFor(userId)}`, "content-type": "application/json" };
}
