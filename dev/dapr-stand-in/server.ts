/**
 * The app → sidecar Dapr HTTP API (v1.0) the functions use, with Dapr's status
 * codes and `{errorCode, message}` error bodies: publish, output bindings,
 * metadata, health and service invocation.
 *
 * One stand-in serves every app, so it tells callers apart by their
 * `dapr-api-token` (each app gets its own DAPR_API_TOKEN): that is how
 * component scopes and `/v1.0/metadata` answer per app, as separate sidecars
 * would. Without tokens every caller sees every component.
 */
import { timingSafeEqual } from "node:crypto";
import { Hono, type Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { Logger } from "pino";
import { forward } from "../../toolkit/forward.js";
import type { SidecarApp } from "./app-channel.js";
import type { Broker } from "./broker.js";
import { isInScope, type Component } from "./components.js";
import { EnvelopeError, toEnvelope } from "./envelope.js";
import { BindingError, invokeHttpBinding } from "./output-binding.js";
import { withRetries, type Resiliency } from "./resiliency.js";

export interface SidecarDeps {
  apps: readonly SidecarApp[];
  /** The components the stand-in emulates (pubsub.*, bindings.http, bindings.cron). */
  components: readonly Component[];
  broker: Broker;
  resiliency: Resiliency;
  /** Settles once every app's subscriptions are known: a publish waits for it so no subscriber misses an event. */
  subscribed: Promise<void>;
  log: Logger;
}

type Env = { Variables: { caller: SidecarApp | undefined } };

const UNKNOWN_CALLER_ID = "dapr-stand-in";

function daprError(c: Context, status: ContentfulStatusCode, errorCode: string, message: string): Response {
  return c.json({ errorCode, message }, status);
}

function sameToken(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

export function createSidecarApp({ apps, components, broker, resiliency, subscribed, log }: SidecarDeps): Hono<Env> {
  const app = new Hono<Env>();
  const tokenHolders = apps.filter((a) => a.daprApiToken);
  const visible = (caller: SidecarApp | undefined) => components.filter((c) => !caller || isInScope(c, caller.appId));

  // Dapr leaves its health endpoints open and answers anything else without the token with a plain 401.
  app.get("/v1.0/healthz", (c) => c.body(null, 204));
  app.get("/v1.0/healthz/outbound", (c) => c.body(null, 204));
  app.use("*", async (c, next) => {
    if (tokenHolders.length > 0) {
      const given = c.req.header("dapr-api-token") ?? "";
      const caller = tokenHolders.find((a) => sameToken(given, a.daprApiToken!));
      if (!caller) return c.text("invalid api token", 401);
      c.set("caller", caller);
    }
    await next();
  });

  app.get("/v1.0/metadata", (c) => {
    const caller = c.get("caller");
    return c.json({
      id: caller?.appId ?? UNKNOWN_CALLER_ID,
      runtimeVersion: "stand-in",
      components: visible(caller).map(({ name, type, version }) => ({ name, type, version })),
      subscriptions: broker
        .subscriptions()
        .filter((s) => !caller || s.appId === caller.appId)
        .map(({ pubsubname, topic, rules, deadLetterTopic }) => ({ pubsubname, topic, rules, deadLetterTopic: deadLetterTopic ?? "", type: "PROGRAMMATIC" })),
    });
  });

  app.post("/v1.0/publish/:pubsub/:topic{.+}", async (c) => {
    const caller = c.get("caller");
    const pubsub = c.req.param("pubsub");
    const topic = c.req.param("topic");
    if (!visible(caller).some((comp) => comp.name === pubsub && comp.type.startsWith("pubsub."))) {
      return daprError(c, 404, "ERR_PUBSUB_NOT_FOUND", `pubsub ${pubsub} is not found`);
    }
    let envelope;
    try {
      const body = Buffer.from(await c.req.arrayBuffer());
      envelope = toEnvelope({
        pubsub,
        topic,
        body,
        contentType: c.req.header("content-type"),
        source: caller?.appId ?? UNKNOWN_CALLER_ID,
        traceparent: c.req.header("traceparent"),
      });
    } catch (error) {
      if (error instanceof EnvelopeError) return daprError(c, 400, "ERR_PUBSUB_CLOUD_EVENTS_SER", error.message);
      throw error;
    }
    await subscribed;
    const message = { pubsub, topic, partitionKey: c.req.query("metadata.partitionKey"), envelope };
    try {
      // A full queue is the stand-in's broker refusing: retried per the outbound policy, as a broker error would be.
      await withRetries(resiliency.component(pubsub, "outbound").retry, async () => {
        if (!broker.publish(message)) throw new Error(`the stand-in's queues are full (${broker.pending()} pending)`);
      });
    } catch (error) {
      log.error({ err: error, topic }, "publish refused");
      return daprError(c, 500, "ERR_PUBSUB_PUBLISH_MESSAGE", `error when publish to topic ${topic} in pubsub ${pubsub}: ${(error as Error).message}`);
    }
    return c.body(null, 204);
  });

  app.post("/v1.0/bindings/:name", async (c) => {
    const name = c.req.param("name");
    const request = (await c.req.json().catch(() => undefined)) as { operation?: unknown; data?: unknown; metadata?: unknown } | undefined;
    if (!request || typeof request !== "object" || typeof request.operation !== "string") {
      return daprError(c, 400, "ERR_MALFORMED_REQUEST", "failed deserializing HTTP body: expected {operation, data, metadata}");
    }
    const component = visible(c.get("caller")).find((comp) => comp.name === name && comp.type === "bindings.http");
    if (!component) return daprError(c, 500, "ERR_INVOKE_OUTPUT_BINDING", `error invoking output binding ${name}: couldn't find output binding ${name}`);
    const policy = resiliency.component(name, "outbound");
    const metadata = (request.metadata && typeof request.metadata === "object" ? request.metadata : {}) as Record<string, string>;
    try {
      const result = await withRetries(policy.retry, () =>
        invokeHttpBinding(component, { operation: request.operation as string, data: request.data, metadata }, policy.timeoutMs),
      );
      for (const [key, value] of Object.entries(result.metadata)) c.header(`metadata.${key}`, value);
      return c.body(result.body, 200);
    } catch (error) {
      if (!(error instanceof BindingError)) throw error;
      return daprError(c, 500, "ERR_INVOKE_OUTPUT_BINDING", `error invoking output binding ${name}: ${error.message}`);
    }
  });

  app.all("/v1.0/invoke/:appId/method/*", async (c) => {
    const callee = apps.find((a) => a.appId === c.req.param("appId"));
    if (!callee) return daprError(c, 500, "ERR_DIRECT_INVOKE", `failed to invoke, id: ${c.req.param("appId")}, err: app not found`);
    const url = new URL(c.req.url);
    const method = url.pathname.slice(url.pathname.indexOf("/method/") + "/method".length);
    try {
      return await forward(c.req.raw, {
        port: callee.port,
        path: `${method}${url.search}`,
        dropHeaders: ["dapr-api-token"],
        headers: {
          ...(callee.appApiToken ? { "dapr-api-token": callee.appApiToken } : {}),
          ...(c.get("caller") ? { "dapr-caller-app-id": c.get("caller")!.appId } : {}),
          "dapr-callee-app-id": callee.appId,
        },
      });
    } catch (error) {
      return daprError(c, 500, "ERR_DIRECT_INVOKE", `failed to invoke, id: ${callee.appId}, err: ${(error as Error).message}`);
    }
  });

  app.notFound((c) => c.text("404 page not found", 404));
  return app;
}
