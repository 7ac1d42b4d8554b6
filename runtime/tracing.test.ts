import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { formatTraceparent, parseTraceparent, readTraceContext, randomId } from "./trace-context.js";
import { contextOnlyTracer, createTracer } from "./tracing.js";

const PARENT = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

describe("W3C trace context", () => {
  it("parses a traceparent and writes it back", () => {
    const parsed = parseTraceparent(PARENT);
    expect(parsed).toEqual({ traceId: "0af7651916cd43dd8448eb211c80319c", spanId: "b7ad6b7169203331", sampled: true });
    expect(formatTraceparent(parsed!)).toBe(PARENT);
  });

  it.each([
    ["not a string", 42],
    ["too short", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331"],
    ["upper case", PARENT.toUpperCase()],
    ["version ff", PARENT.replace(/^00/, "ff")],
    ["an all-zero trace id", `00-${"0".repeat(32)}-b7ad6b7169203331-01`],
    ["an all-zero span id", `00-0af7651916cd43dd8448eb211c80319c-${"0".repeat(16)}-01`],
    ["version 00 with more fields", `${PARENT}-extra`],
  ])("refuses %s", (_what, value) => {
    expect(parseTraceparent(value)).toBeUndefined();
    expect(readTraceContext(value, "a=b")).toBeUndefined();
  });

  it("keeps a tracestate only beside a valid traceparent, and only of sane size", () => {
    expect(readTraceContext(PARENT, "vendor=x")).toEqual({ traceparent: PARENT, tracestate: "vendor=x" });
    expect(readTraceContext(PARENT, "")).toEqual({ traceparent: PARENT });
    expect(readTraceContext(PARENT, "x".repeat(513))).toEqual({ traceparent: PARENT });
  });

  it("makes ids of the right length, never all zeros, never the same twice in a row", () => {
    const ids = Array.from({ length: 2_000 }, () => randomId(8));
    expect(ids.every((id) => /^[0-9a-f]{16}$/.test(id) && id !== "0".repeat(16))).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    expect(randomId(16)).toMatch(/^[0-9a-f]{32}$/);
  });
});

describe("the context-only tracer (no OTEL_EXPORTER_OTLP_ENDPOINT)", () => {
  it("is what createTracer gives without an endpoint", async () => {
    expect(await createTracer("x", {})).toBe(contextOnlyTracer);
  });

  it("passes a parent on unchanged, as OpenTelemetry's no-op tracer does", () => {
    const span = contextOnlyTracer.startSpan("s", "server", { traceparent: PARENT, tracestate: "v=1" });
    expect(span.context).toEqual({ traceparent: PARENT, tracestate: "v=1" });
    expect(span.traceId).toBe("0af7651916cd43dd8448eb211c80319c");
  });

  it("starts a new unsampled root without a parent", () => {
    const span = contextOnlyTracer.startSpan("s", "server", undefined);
    expect(span.context.traceparent).toMatch(new RegExp(`^00-${span.traceId}-[0-9a-f]{16}-00$`));
  });
});

describe("the OpenTelemetry tracer (OTEL_EXPORTER_OTLP_ENDPOINT set)", () => {
  it("starts spans that are children of the parent (same trace, a span id of their own, sampled) and exports them to <endpoint>/v1/traces", async () => {
    const exports: { path?: string; body: { resourceSpans: { scopeSpans: { spans: { traceId: string; parentSpanId?: string }[] }[] }[] } }[] = [];
    const receiver = createServer((req, res) => {
      let text = "";
      req.on("data", (chunk: Buffer) => (text += chunk.toString("utf8")));
      req.on("end", () => {
        exports.push({ path: req.url, body: JSON.parse(text) as (typeof exports)[number]["body"] });
        res.writeHead(200, { "content-type": "application/json" }).end("{}");
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
    const tracer = await createTracer("test", { OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/` });
    expect(tracer).not.toBe(contextOnlyTracer);
    const span = tracer.startSpan("s", "consumer", { traceparent: PARENT, tracestate: "v=1" });
    const parsed = parseTraceparent(span.context.traceparent)!;
    expect(parsed).toMatchObject({ traceId: "0af7651916cd43dd8448eb211c80319c", sampled: true });
    expect(parsed.spanId).not.toBe("b7ad6b7169203331");
    expect(span.context.tracestate).toBe("v=1");
    span.end();
    const root = tracer.startSpan("r", "server", undefined);
    expect(parseTraceparent(root.context.traceparent)).toMatchObject({ traceId: root.traceId, sampled: true });
    root.end();
    await tracer.shutdown();
    receiver.close();
    expect(exports.map((e) => e.path)).toEqual(["/v1/traces"]);
    const spans = exports[0]!.body.resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans));
    expect(spans.map((s) => [s.traceId, s.parentSpanId ?? ""])).toEqual([
      ["0af7651916cd43dd8448eb211c80319c", "b7ad6b7169203331"],
      [root.traceId, ""],
    ]);
  });
});
