/**
 * Spans as the runtime opens them: one per HTTP request, event delivery, cron
 * tick and publish. With OTEL_EXPORTER_OTLP_ENDPOINT set they are OpenTelemetry
 * spans exported over OTLP (otlp-tracer.ts, imported only then); without it the
 * trace context is still carried on (into logs, outbox rows and events), and
 * nothing else is loaded or done.
 */
import { parseTraceparent, randomId, formatTraceparent, type TraceContext } from "./trace-context.js";

export type { TraceContext } from "./trace-context.js";

export type SpanKind = "server" | "consumer" | "producer" | "internal";
export type SpanAttributes = Record<string, string | number | boolean>;

export interface Span {
  readonly traceId: string;
  /** This span as a parent: what the work it covers passes on to outbox rows, events and the sidecar. */
  readonly context: TraceContext;
  /** Marks the span failed (it still has to be ended). */
  fail(message: string): void;
  end(attributes?: SpanAttributes): void;
}

/**
 * Opens the span of one SQL statement (its parameterised text) as a child of the
 * current span, and returns what ends it; undefined when no span is current.
 */
export type StatementSpans = (text: string) => ((error?: unknown) => void) | undefined;

export interface Tracer {
  startSpan(name: string, kind: SpanKind, parent: TraceContext | undefined, attributes?: SpanAttributes): Span;
  /** Runs `work` with `span` current: the statements it runs are its children. */
  withSpan<T>(span: Span, work: () => Promise<T>): Promise<T>;
  /** Only on a tracer that records: without it the database runs statements as they are, with no per-statement work. */
  readonly statementSpans?: StatementSpans;
  /** Exports what is still buffered. */
  shutdown(): Promise<void>;
}

const nothing = () => {};

/**
 * Records nothing, as OpenTelemetry's no-op tracer: a span is its parent's
 * context, passed on unchanged, so whatever does record (the caller, a later
 * consumer) links to real spans. Without a parent it is a new, unsampled root.
 */
export const contextOnlyTracer: Tracer = {
  startSpan(_name, _kind, parent) {
    const parsed = parent && parseTraceparent(parent.traceparent);
    if (parsed) return { traceId: parsed.traceId, context: parent, fail: nothing, end: nothing };
    const traceId = randomId(16);
    return { traceId, context: { traceparent: formatTraceparent({ traceId, spanId: randomId(8), sampled: false }) }, fail: nothing, end: nothing };
  },
  withSpan: (_span, work) => work(),
  shutdown: async () => {},
};

/** The OTLP exporter when OTEL_EXPORTER_OTLP_ENDPOINT is set (the SDK is imported only then), else the context-only tracer. */
export async function createTracer(serviceName: string, env: Record<string, string | undefined>): Promise<Tracer> {
  const endpoint = env.OTEL_EXPORTER_OTLP_ENDPOINT;
  if (!endpoint) return contextOnlyTracer;
  const { createOtlpTracer } = await import("./otlp-tracer.js");
  return createOtlpTracer(serviceName, endpoint);
}
