/**
 * The OpenTelemetry SDK behind the runtime's Tracer: manual spans, exported in
 * batches as OTLP/HTTP JSON to `<OTEL_EXPORTER_OTLP_ENDPOINT>/v1/traces` (the
 * exporter reads the other OTEL_EXPORTER_OTLP_* variables, headers and timeout,
 * itself). Only imported when that endpoint is set. No auto-instrumentation and no global context manager:
 * the runtime passes every parent explicitly. The one exception is the statement spans: handlers reach
 * the pool without a span in hand, so the span of the request, delivery or tick is current in an
 * AsyncLocalStorage (withSpan) while its work runs — created here, so it exists only when exporting.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, TraceFlags, trace, type Context } from "@opentelemetry/api";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { BatchSpanProcessor, TracerProvider } from "@opentelemetry/sdk-trace";
import { describeStatement } from "./sql-statement.js";
import { formatTraceparent, parseTraceparent } from "./trace-context.js";
import type { Span, SpanKind as Kind, Tracer } from "./tracing.js";

const KINDS: Record<Kind, SpanKind> = { server: SpanKind.SERVER, consumer: SpanKind.CONSUMER, producer: SpanKind.PRODUCER, internal: SpanKind.INTERNAL };

export function createOtlpTracer(serviceName: string, endpoint: string): Tracer {
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ "service.name": serviceName }),
    // A function may be scaled away at any time: a short delay bounds what a SIGKILL loses.
    spanProcessors: [
      new BatchSpanProcessor({ exporter: new OTLPTraceExporter({ url: `${endpoint.replace(/\/+$/, "")}/v1/traces` }), scheduledDelayMillis: 1_000 }),
    ],
  });
  const tracer = provider.getTracer("taskfn");
  const current = new AsyncLocalStorage<Context>();
  const contexts = new WeakMap<Span, Context>();

  return {
    startSpan(name, kind, parent, attributes): Span {
      const remote = parent && parseTraceparent(parent.traceparent);
      const parentContext = remote
        ? trace.setSpanContext(ROOT_CONTEXT, {
            traceId: remote.traceId,
            spanId: remote.spanId,
            traceFlags: remote.sampled ? TraceFlags.SAMPLED : TraceFlags.NONE,
            isRemote: true,
          })
        : ROOT_CONTEXT;
      const span = tracer.startSpan(name, { kind: KINDS[kind], attributes }, parentContext);
      const { traceId, spanId, traceFlags } = span.spanContext();
      const traceparent = formatTraceparent({ traceId, spanId, sampled: (traceFlags & TraceFlags.SAMPLED) !== 0 });
      const ours: Span = {
        traceId,
        context: parent?.tracestate ? { traceparent, tracestate: parent.tracestate } : { traceparent },
        fail: (message) => span.setStatus({ code: SpanStatusCode.ERROR, message }),
        end(endAttributes) {
          if (endAttributes) span.setAttributes(endAttributes);
          span.end();
        },
      };
      contexts.set(ours, trace.setSpan(parentContext, span));
      return ours;
    },
    withSpan(span, work) {
      const context = contexts.get(span);
      return context ? current.run(context, work) : work();
    },
    statementSpans(text) {
      const parent = current.getStore();
      if (!parent) return undefined; // a readiness probe's SELECT 1, not part of any request
      const { name, attributes } = describeStatement(text);
      const span = tracer.startSpan(name, { kind: SpanKind.CLIENT, attributes }, parent);
      return (error) => {
        if (error !== undefined) {
          const code = (error as { code?: unknown }).code;
          if (typeof code === "string") span.setAttributes({ "db.response.status_code": code, "error.type": code });
          span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
        }
        span.end();
      };
    },
    shutdown: () => provider.shutdown(),
  };
}
