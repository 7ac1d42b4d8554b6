/**
 * The OpenTelemetry SDK behind the runtime's Tracer: manual spans, exported in
 * batches as OTLP/HTTP JSON to `<OTEL_EXPORTER_OTLP_ENDPOINT>/v1/traces` (the
 * exporter reads the other OTEL_EXPORTER_OTLP_* variables, headers and timeout,
 * itself). Only imported when that endpoint is set. No auto-instrumentation and no context manager: the
 * runtime passes every parent explicitly, so no async hook runs per request.
 */
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, TraceFlags, trace } from "@opentelemetry/api";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { BatchSpanProcessor, TracerProvider } from "@opentelemetry/sdk-trace";
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
      return {
        traceId,
        context: parent?.tracestate ? { traceparent, tracestate: parent.tracestate } : { traceparent },
        fail: (message) => span.setStatus({ code: SpanStatusCode.ERROR, message }),
        end(endAttributes) {
          if (endAttributes) span.setAttributes(endAttributes);
          span.end();
        },
      };
    },
    shutdown: () => provider.shutdown(),
  };
}
