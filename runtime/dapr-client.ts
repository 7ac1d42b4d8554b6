/**
 * The app → sidecar half of the Dapr HTTP API that functions use: publish,
 * output bindings and the component list.
 *
 * Why not `@dapr/dapr`'s DaprClient here: its first call waits up to 60 s for the
 * sidecar to come up (createTask must answer 201 at once while the sidecar is down,
 * leaving the event in the outbox), publish reports failures as a return value
 * instead of throwing, and importing it costs ~0.4 s and ~40 MB per process
 * (measured with a bare `await import("@dapr/dapr")` on Node 20), which every cold
 * start would pay. The wire protocol is the same two endpoints.
 */
import { Agent, request } from "node:http";
import { urlToHttpOptions } from "node:url";
import { RetryableError, UnpublishableEventError } from "./errors.js";
import { MAX_EVENT_BYTES, refusesTheEvent } from "./publish-refusal.js";
import type { TraceContext } from "./trace-context.js";

export interface DaprClientOptions {
  /** e.g. `http://127.0.0.1:3500` */
  baseUrl: string;
  /** Sent as `dapr-api-token` when the sidecar enforces DAPR_API_TOKEN. */
  apiToken?: string;
  timeoutMs?: number;
}

export interface PublishRequest {
  pubsub: string;
  topic: string;
  /** A structured CloudEvent: sent as application/cloudevents+json so Dapr keeps our id, type and source. */
  cloudEvent: object;
  partitionKey: string;
  /** Sent as the traceparent/tracestate headers too, so a sidecar that traces puts its spans in the same trace. */
  trace?: TraceContext;
}

export interface BindingRequest {
  name: string;
  operation: string;
  data: unknown;
  metadata?: Record<string, string>;
}

export interface DaprClient {
  publish(request: PublishRequest): Promise<void>;
  invokeBinding(request: BindingRequest): Promise<void>;
  /** Whether the sidecar loaded a component of this name (from its metadata API). */
  hasComponent(name: string): Promise<boolean>;
}

export function createDaprClient({ baseUrl, apiToken, timeoutMs = 5_000 }: DaprClientOptions): DaprClient {
  const headers = (contentType: string): Record<string, string> => ({
    "content-type": contentType,
    ...(apiToken ? { "dapr-api-token": apiToken } : {}),
  });

  // Publishes are on every event's path: node:http over a keep-alive agent costs
  // a fraction of fetch's CPU (no WHATWG Request/Response/stream/AbortSignal per call).
  // The sidecar's address is parsed once: request() given a URL string parses it on every call.
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const base = new URL(baseUrl);
  const { protocol, hostname, port } = urlToHttpOptions(base);
  const pathPrefix = base.pathname.replace(/\/$/, "");
  const sendHeaders = { json: headers("application/json"), cloudEvent: headers("application/cloudevents+json") };
  // `isAboutWhatWasSent`: whether a refusal is about what was sent (never worth sending again) rather than the sidecar.
  function send(
    what: string,
    path: string,
    contentHeaders: Record<string, string>,
    body: string,
    isAboutWhatWasSent = (_status: number, _answer: string) => false,
  ): Promise<void> {
    return new Promise((resolve, reject) => {
      const unreachable = (error: Error) => reject(new RetryableError(`${what}: Dapr sidecar unreachable at ${baseUrl}`, { cause: error }));
      const options = {
        protocol,
        hostname,
        port,
        path: pathPrefix + path,
        method: "POST",
        agent,
        headers: { ...contentHeaders, "content-length": Buffer.byteLength(body) },
        timeout: timeoutMs,
      };
      const req = request(options, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("error", unreachable);
        res.on("end", () => {
          const status = res.statusCode ?? 0;
          if (status >= 200 && status < 300) resolve();
          else {
            const answer = Buffer.concat(chunks).toString("utf8");
            const message = `${what}: sidecar answered ${status} ${answer.slice(0, 300)}`;
            reject(isAboutWhatWasSent(status, answer) ? new UnpublishableEventError(message) : new RetryableError(message));
          }
        });
      });
      req.on("timeout", () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
      req.on("error", unreachable);
      req.end(body);
    });
  }

  return {
    async hasComponent(name) {
      let response: Response;
      try {
        response = await fetch(`${baseUrl}/v1.0/metadata`, { headers: headers("application/json"), signal: AbortSignal.timeout(timeoutMs) });
      } catch (error) {
        throw new RetryableError(`metadata: Dapr sidecar unreachable at ${baseUrl}`, { cause: error });
      }
      if (!response.ok) throw new RetryableError(`metadata: sidecar answered ${response.status}`);
      const metadata = (await response.json()) as { components?: { name?: string }[] };
      return (metadata.components ?? []).some((component) => component.name === name);
    },
    publish({ pubsub, topic, cloudEvent, partitionKey, trace }) {
      const path = `/v1.0/publish/${encodeURIComponent(pubsub)}/${encodeURIComponent(topic)}?metadata.partitionKey=${encodeURIComponent(partitionKey)}`;
      const headers = trace
        ? { ...sendHeaders.cloudEvent, traceparent: trace.traceparent, ...(trace.tracestate ? { tracestate: trace.tracestate } : {}) }
        : sendHeaders.cloudEvent;
      const body = JSON.stringify(cloudEvent);
      const bytes = Buffer.byteLength(body);
      if (bytes > MAX_EVENT_BYTES)
        return Promise.reject(new UnpublishableEventError(`publish to ${topic}: the event has ${bytes} bytes, over ${MAX_EVENT_BYTES}`));
      return send(`publish to ${topic}`, path, headers, body, refusesTheEvent);
    },
    invokeBinding({ name, operation, data, metadata = {} }) {
      return send(`binding ${name}`, `/v1.0/bindings/${encodeURIComponent(name)}`, sendHeaders.json, JSON.stringify({ operation, data, metadata }));
    },
  };
}

/** Name of the pub/sub component in dapr/ and k8s/: every function publishes and subscribes through it. */
export const PUBSUB_NAME = "pubsub";
