import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../test/database.js";
import { createDatabase, sql } from "./database.js";
import { parseTraceparent } from "./trace-context.js";
import { contextOnlyTracer, createTracer } from "./tracing.js";

interface ExportedSpan {
  name: string;
  kind: number;
  parentSpanId?: string;
  status?: { code?: number };
  attributes: { key: string; value: { stringValue?: string } }[];
}

/** An in-process OTLP/HTTP JSON receiver: what the tracer exported, span by span. */
async function startReceiver(): Promise<{ endpoint: string; spans: ExportedSpan[]; server: Server }> {
  const spans: ExportedSpan[] = [];
  const server = createServer((req, res) => {
    let text = "";
    req.on("data", (chunk: Buffer) => (text += chunk.toString("utf8")));
    req.on("end", () => {
      const body = JSON.parse(text) as { resourceSpans: { scopeSpans: { spans: ExportedSpan[] }[] }[] };
      spans.push(...body.resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans)));
      res.writeHead(200, { "content-type": "application/json" }).end("{}");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, spans, server };
}

const attributesOf = (span: ExportedSpan) => Object.fromEntries(span.attributes.map((a) => [a.key, a.value.stringValue]));
const CLIENT = 3; // OTLP SpanKind

describe("a span per SQL statement", () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(() => database.drop());

  it("is off without OTEL_EXPORTER_OTLP_ENDPOINT: the context-only tracer offers no statement spans, so the database runs statements untouched", () => {
    expect(contextOnlyTracer.statementSpans).toBeUndefined();
  });

  it("with the endpoint set, each statement of the current span's work is its child, named and described by the database conventions, without the values", async () => {
    const receiver = await startReceiver();
    const tracer = await createTracer("statement-test", { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint });
    const db = createDatabase({ url: database.url, statementSpans: tracer.statementSpans });
    const request = tracer.startSpan("POST /things", "server", undefined);
    await tracer.withSpan(request, async () => {
      await db.query(sql`SELECT count(*) FROM processed_events WHERE consumer = ${"secret-value"}`);
      await db.transaction((tx) => tx.execute(sql`INSERT INTO processed_events (consumer, event_id) VALUES (${"statement-test"}, ${"e-1"})`));
      await db.query(sql`SELECT id FROM tasks WHERE id = ${"not-a-uuid"}::uuid`).catch(() => {});
    });
    request.end();
    await db.query(sql`SELECT 1`); // no current span: a probe, not part of any request
    await tracer.shutdown();
    await db.close();
    receiver.server.close();

    const requestSpanId = parseTraceparent(request.context.traceparent)!.spanId;
    const statements = receiver.spans.filter((span) => span.kind === CLIENT);
    expect(statements.map((span) => [span.name, span.parentSpanId])).toEqual([
      ["SELECT processed_events", requestSpanId],
      ["INSERT processed_events", requestSpanId],
      ["SELECT tasks", requestSpanId],
    ]);
    expect(attributesOf(statements[0]!)).toEqual({
      "db.system.name": "postgresql",
      "db.operation.name": "SELECT",
      "db.collection.name": "processed_events",
      "db.query.text": "SELECT count(*) FROM processed_events WHERE consumer = $1",
    });
    expect(JSON.stringify(receiver.spans)).not.toContain("secret-value");
    expect(statements[2]!.status?.code).toBe(2); // ERROR
    expect(attributesOf(statements[2]!)).toMatchObject({ "db.response.status_code": "22P02", "error.type": "22P02" });
    expect(receiver.spans).toHaveLength(4); // the three statements and the request; SELECT 1 made none
  });
});
