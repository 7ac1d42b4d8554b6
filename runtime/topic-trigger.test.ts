import { evaluate } from "@marcbachmann/cel-js";
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { onTaskCompleted } from "../functions/on-task-completed/definition.js";
import { sendReminder } from "../functions/send-reminder/definition.js";
import { deliver } from "../test/events.js";
import { serveForTest } from "../test/runtime.js";
import { buildCloudEvent } from "./cloud-event.js";
import { defineFunction } from "./define.js";
import { PoisonEventError, RetryableError } from "./errors.js";
import { createFunctionListener } from "./node-listener.js";
import { REPLY_BODIES, createEventDelivery, subscriberPath, toDaprStatus, toSubscription } from "./topic-trigger.js";
import { contextOnlyTracer } from "./tracing.js";
import type { EventContext, EventHandler } from "./types.js";
import type { UnitOfWork } from "./unit-of-work.js";

describe("toSubscription", () => {
  it("subscribes onTaskCompleted to task.completed on the tasks topic, dead-lettering to tasks-dlq", () => {
    expect(toSubscription(onTaskCompleted)).toEqual({
      pubsubname: "pubsub",
      topic: "tasks",
      routes: { rules: [{ match: 'event.type == "task.completed"', path: "/events/tasks" }], default: "/events/other" },
      deadLetterTopic: "tasks-dlq",
    });
  });

  it("subscribes sendReminder to reminder.due on the reminders topic, dead-lettering to reminders-dlq", () => {
    expect(toSubscription(sendReminder)).toEqual({
      pubsubname: "pubsub",
      topic: "reminders",
      routes: { rules: [{ match: 'event.type == "reminder.due"', path: "/events/reminders" }], default: "/events/other" },
      deadLetterTopic: "reminders-dlq",
    });
  });

  it("sends the topic's other event types to a default route, so Dapr does not dead-letter them", () => {
    for (const definition of [onTaskCompleted, sendReminder]) {
      const { routes } = toSubscription(definition);
      expect(routes.default).toBe("/events/other");
      expect(routes.rules).toHaveLength(1);
    }
  });

  it("routes with a CEL rule that matches its own event type and no other", () => {
    const [rule] = toSubscription(onTaskCompleted).routes.rules;
    expect(evaluate(rule!.match, { event: { type: "task.completed" } })).toBe(true);
    for (const other of ["task.created", "task.updated", "task.deleted", "task.completed.v2", ""]) {
      expect(evaluate(rule!.match, { event: { type: other } }), other).toBe(false);
    }
  });

  it("routes every type of a several-type trigger to its one subscriber path, each with its own rule", () => {
    const trigger = { kind: "topic", pubsub: "pubsub", topic: "things", events: { "a.b": z.object({}), "c.d": z.object({}) }, deadLetterTopic: "dlq" } as const;
    const { routes } = toSubscription(defineFunction({ name: "x", appId: "x", port: 1, description: "x", trigger }));
    expect(routes.rules).toEqual([
      { match: 'event.type == "a.b"', path: "/events/things" },
      { match: 'event.type == "c.d"', path: "/events/things" },
    ]);
    expect(routes.default).toBe("/events/other");
  });

  it("uses the path the subscriber route is mounted on", () => {
    expect(toSubscription(onTaskCompleted).routes.rules[0]!.path).toBe(subscriberPath(onTaskCompleted.trigger));
  });
});

describe("toDaprStatus", () => {
  it("answers SUCCESS when the handler succeeded", () => {
    expect(toDaprStatus({})).toBe("SUCCESS");
  });

  it("answers DROP for an event that can never succeed (PoisonEventError)", () => {
    expect(toDaprStatus({ error: new PoisonEventError("malformed") })).toBe("DROP");
  });

  it("answers RETRY for a transient failure and for any other error, so nothing is acknowledged and lost", () => {
    expect(toDaprStatus({ error: new RetryableError("sidecar down") })).toBe("RETRY");
    expect(toDaprStatus({ error: new Error("boom") })).toBe("RETRY");
    expect(toDaprStatus({ error: new TypeError("bug") })).toBe("RETRY");
    expect(toDaprStatus({ error: "a thrown string" })).toBe("RETRY");
  });
});

// The subscriber route as served (node-listener.ts), with an in-memory unit of work: the event → reply mapping.
const unused = {} as never;
describe("the subscriber route", () => {
  const thingHappened = defineFunction({
    name: "onThing",
    appId: "on-thing",
    port: 1,
    description: "test",
    trigger: {
      kind: "topic",
      pubsub: "pubsub",
      topic: "things",
      events: { "thing.happened": z.object({ n: z.number() }), "thing.gone": z.object({ why: z.string() }) },
      deadLetterTopic: "things-dlq",
    },
  });
  type Thing = Parameters<EventHandler<typeof thingHappened.trigger>>[0];

  function setup(handler: (event: Thing, ctx: EventContext) => Promise<void>, log = pino({ level: "silent" })) {
    const processed = new Set<string>();
    const uow: UnitOfWork = {
      run: () => Promise.reject(new Error("not used")),
      async runOnce(consumer, eventId, _trace, work) {
        const key = `${consumer}/${eventId}`;
        if (processed.has(key)) return "duplicate";
        processed.add(key);
        try {
          await work({} as never, () => {});
        } catch (error) {
          processed.delete(key); // the marker rolls back with the work
          throw error;
        }
        return "processed";
      },
    };
    const eventHandler: EventHandler<typeof thingHappened.trigger> = (event, ctx) => handler(event, ctx);
    // No route of a topic function but /readyz touches the database or the Dapr client.
    const runtime = { uow, log, tracer: contextOnlyTracer, db: unused, dapr: unused };
    const app = serveForTest(createFunctionListener(thingHappened, eventHandler, runtime, {}));
    return { app, processed, deliver: createEventDelivery(thingHappened, eventHandler, runtime) };
  }
  const event = (data: unknown = { n: 1 }, type = "thing.happened") =>
    buildCloudEvent({ topic: "things", type, subject: "s", partitionKey: "k", data }, "/test");

  it("hands a valid event to the handler with its data parsed, and answers SUCCESS", async () => {
    const seen: Thing[] = [];
    const { app, processed } = setup(async (e) => void seen.push(e));
    const sent = event({ n: 42 });
    expect(await deliver(app, "/events/things", sent)).toBe("SUCCESS");
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ id: sent.id, type: "thing.happened", data: { n: 42 } });
    expect([...processed]).toEqual([`on-thing/${sent.id}`]);
  });

  it("hands each of its types to the handler, each data checked against its own type's schema", async () => {
    const seen: Thing[] = [];
    const { app } = setup(async (e) => void seen.push(e));
    expect(await deliver(app, "/events/things", event({ why: "done" }, "thing.gone"))).toBe("SUCCESS");
    expect(await deliver(app, "/events/things", event({ n: 1 }, "thing.gone"))).toBe("DROP");
    expect(seen.map((e) => [e.type, e.data])).toEqual([["thing.gone", { why: "done" }]]);
  });

  it("acknowledges a redelivery of a processed event with SUCCESS without running the handler again", async () => {
    let runs = 0;
    const { app } = setup(async () => void runs++);
    const sent = event();
    expect(await deliver(app, "/events/things", sent)).toBe("SUCCESS");
    expect(await deliver(app, "/events/things", sent)).toBe("SUCCESS");
    expect(runs).toBe(1);
  });

  it.each([
    ["a body that is not JSON", "{not json"],
    ["an empty body", ""],
    ["JSON that is not a CloudEvent", { n: 1 }],
    ["a CloudEvent of another type", event({ n: 1 }, "thing.other")],
    ["a CloudEvent whose data violates the schema", event({ n: "one" })],
    ["a CloudEvent without data", { ...event(), data: undefined }],
    ["a CloudEvent with a NUL in its data (sent as \\u0000)", event({ why: "a\u0000b" }, "thing.gone")],
    ["a CloudEvent with a lone surrogate in a field name (sent as \\ud800)", { ...event(), "x\ud800": 1 }],
  ])("drops %s without running the handler", async (_what, body) => {
    let runs = 0;
    const { app, processed } = setup(async () => void runs++);
    expect(await deliver(app, "/events/things", body)).toBe("DROP");
    expect(runs).toBe(0);
    expect(processed.size).toBe(0);
  });

  it("hands the handler text sent as \\u escapes that can be stored, surrogate pairs included", async () => {
    const seen: Thing[] = [];
    const { app } = setup(async (e) => void seen.push(e));
    const escaped = JSON.stringify(event({ why: "x" }, "thing.gone")).replace('"why":"x"', '"why":"caf\\u00e9 \\ud83d\\ude00"');
    expect(await deliver(app, "/events/things", escaped)).toBe("SUCCESS");
    expect(seen.map((e) => e.data)).toEqual([{ why: "café 😀" }]);
  });

  it("answers RETRY when the handler fails, leaves no marker, and processes a later delivery", async () => {
    let fail = true;
    let runs = 0;
    const { app, processed } = setup(async () => {
      runs++;
      if (fail) throw new Error("database went away");
    });
    const sent = event();
    expect(await deliver(app, "/events/things", sent)).toBe("RETRY");
    expect(processed.size).toBe(0);
    fail = false;
    expect(await deliver(app, "/events/things", sent)).toBe("SUCCESS");
    expect(runs).toBe(2);
  });

  it("answers DROP when the handler itself says the event is poison", async () => {
    const { app } = setup(async () => {
      throw new PoisonEventError("refers to nothing");
    });
    expect(await deliver(app, "/events/things", event())).toBe("DROP");
  });

  it("gives the handler a logger bound to the event's id and trace id, and logs a drop the same way", async () => {
    const lines: Record<string, unknown>[] = [];
    const log = pino({ level: "info" }, { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
    const { app } = setup(async (_event, ctx) => ctx.log.info("handled"), log);
    const traceparent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
    const sent = { ...event(), traceparent };
    expect(await deliver(app, "/events/things", sent)).toBe("SUCCESS");
    const poison = { ...event({ n: "one" }), traceparent };
    expect(await deliver(app, "/events/things", poison)).toBe("DROP");
    expect(lines).toEqual([
      expect.objectContaining({ msg: "handled", ceId: sent.id, trace_id: "0af7651916cd43dd8448eb211c80319c" }),
      expect.objectContaining({ msg: "event dropped", ceId: poison.id, trace_id: "0af7651916cd43dd8448eb211c80319c", level: 40 }),
    ]);
  });

  it("hands the handler the event's trace context, for the events it emits", async () => {
    const seen: unknown[] = [];
    const { app } = setup(async (_event, ctx) => void seen.push(ctx.trace));
    const trace = { traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", tracestate: "vendor=x" };
    expect(await deliver(app, "/events/things", { ...event(), ...trace })).toBe("SUCCESS");
    expect(await deliver(app, "/events/things", { ...event(), traceparent: "garbage" })).toBe("SUCCESS");
    expect(seen[0]).toEqual(trace);
    expect((seen[1] as { traceparent: string }).traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-00$/);
  });

  it("logs nothing at info level for an event it handles", async () => {
    const lines: string[] = [];
    const log = pino({ level: "info" }, { write: (line: string) => void lines.push(line) });
    const { app } = setup(async () => {}, log);
    expect(await deliver(app, "/events/things", event())).toBe("SUCCESS");
    expect(lines).toEqual([]);
  });

  it("delivers without HTTP too (for a plain node:http route): the same statuses, an unreadable body dropped", async () => {
    let fail = false;
    const { deliver } = setup(async () => {
      if (fail) throw new Error("database went away");
    });
    expect(await deliver(JSON.stringify(event()))).toBe("SUCCESS");
    expect(await deliver(undefined)).toBe("DROP");
    expect(await deliver("{not json")).toBe("DROP");
    fail = true;
    expect(await deliver(JSON.stringify(event()))).toBe("RETRY");
  });

  it("answers with Dapr's reply bodies, byte for byte", async () => {
    const { app } = setup(async () => {});
    const res = await app.request("/events/things", { method: "POST", body: JSON.stringify(event()) });
    expect(res.headers.get("content-type")).toBe("application/json");
    expect(await res.text()).toBe(REPLY_BODIES.SUCCESS);
    expect(REPLY_BODIES).toEqual({ SUCCESS: '{"status":"SUCCESS"}', RETRY: '{"status":"RETRY"}', DROP: '{"status":"DROP"}' });
  });

  it("serves exactly its subscription on GET /dapr/subscribe", async () => {
    const { app } = setup(async () => {});
    const res = await app.request("/dapr/subscribe");
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual([toSubscription(thingHappened)]);
  });
});
