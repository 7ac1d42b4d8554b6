/**
 * Property: whatever reaches an event route — a topic function's subscriber
 * route or a binding's trigger — it never answers 5xx from a topic route, and a
 * topic route answers what the reply table (toDaprStatus) says: an event that is
 * not a CloudEvent of the function's type with valid, storable data is dropped
 * and writes nothing; a valid one succeeds with everything up, and is retried
 * when the sidecar it needs is down; delivering it again answers the same and
 * writes nothing more. Binding routes never answer 5xx while the store is up.
 */
import * as fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BINDING_FUNCTIONS, TOPIC_FUNCTIONS } from "../../functions/catalog.js";
import { buildCloudEvent, parseCloudEvent } from "../../runtime/cloud-event.js";
import { sql } from "../../runtime/database.js";
import { unstorableTextErrors } from "../../runtime/text.js";
import { eventTypesOf, subscriberPath, type DaprStatus } from "../../runtime/topic-trigger.js";
import type { FunctionDefinition, TopicTrigger } from "../../runtime/types.js";
import { createTestDatabase, type TestDatabase } from "../database.js";
import { DAPR_DELIVERY_FIELDS, taskJson } from "../events.js";
import { HANDLER_FACTORIES } from "../functions.js";
import { createRecordingDapr, createTestRuntime, TEST_APP_API_TOKEN, type RecordingDapr, type TestApp } from "../runtime.js";
import { anyValue, dateString, nastyString, VALID_RECURRENCES } from "./arbitraries.js";
import { fuzz } from "./fuzz-run.js";

let database: TestDatabase;
let dapr: RecordingDapr;
let apps: Map<string, TestApp>;
beforeAll(async () => {
  database = await createTestDatabase();
  // The webhook is configured: sendReminder calls the sidecar for every reminder.
  dapr = createRecordingDapr(["reminder-webhook"]);
  const runtime = createTestRuntime(database.db, dapr);
  apps = new Map([...TOPIC_FUNCTIONS, ...BINDING_FUNCTIONS].map((f) => [f.name, HANDLER_FACTORIES[f.name]!.app(runtime, { appApiToken: TEST_APP_API_TOKEN })]));
});
afterAll(() => database.drop());

async function fingerprint(): Promise<string> {
  const [row] = await database.db.query<{ state: string }>(
    sql`SELECT concat_ws(' ', (SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t.id), '')) FROM tasks t), (SELECT count(*) FROM outbox_events), (SELECT count(*) FROM processed_events), (SELECT count(*) FROM task_history)) AS state`,
  );
  return row!.state;
}

/** Functions whose handler needs the sidecar inside its transaction: a valid event is retried while it is down. */
const NEEDS_SIDECAR = new Set(["sendReminder"]);

const validData = (type: string): fc.Arbitrary<Record<string, unknown>> =>
  type === "reminder.due"
    ? fc.record({
        taskId: fc.uuid(),
        userId: fc.constantFrom("alice", "bob"),
        title: fc.string({ minLength: 1, maxLength: 30 }),
        dueAt: fc.option(dateString),
        remindAt: dateString,
      })
    : fc
        .record({
          title: fc.string({ minLength: 1, maxLength: 30 }),
          dueAt: fc.option(dateString),
          recurrence: fc.option(fc.constantFrom(...VALID_RECURRENCES)),
          occurrence: fc.integer({ min: 1, max: 5 }),
        })
        .map((fields) => ({
          ...taskJson(fields as Parameters<typeof taskJson>[0]),
          completed: true,
          completedAt: new Date().toISOString(),
          ...(type === "task.updated" ? { changes: { title: { from: "before", to: fields.title } } } : {}),
        }));

/** An event as Dapr delivers it, then maybe broken: envelope or data fields replaced, or another body altogether. */
function delivery(definition: FunctionDefinition<TopicTrigger>) {
  // The type and id come from the seed too, so a replay delivers the same events.
  const typed = fc.constantFrom(...eventTypesOf(definition.trigger)).chain((type) => validData(type).map((data) => [type, data] as const));
  const event = fc.tuple(typed, fc.uuid()).map(([[type, data], id]) => ({
    ...buildCloudEvent({ topic: definition.trigger.topic, type, subject: "s", partitionKey: "alice", data }, "/taskfn/fuzz"),
    id,
    ...DAPR_DELIVERY_FIELDS,
  }));
  const envelopeKey = fc.constantFrom(
    "id",
    "type",
    "source",
    "specversion",
    "data",
    "datacontenttype",
    "time",
    "subject",
    "partitionkey",
    "traceparent",
    "Bad-Name",
    "junk",
  );
  const dataKey = fc.constantFrom("id", "userId", "title", "dueAt", "remindAt", "recurrence", "occurrence", "tags", "taskId", "completed", "junk");
  return fc
    .record({
      event,
      envelopeChanges: fc.oneof({ weight: 3, arbitrary: fc.constant({}) }, fc.dictionary(envelopeKey, anyValue, { maxKeys: 2 })),
      dataChanges: fc.oneof({ weight: 3, arbitrary: fc.constant({}) }, fc.dictionary(dataKey, anyValue, { maxKeys: 2 })),
      replaceWith: fc.oneof(
        { weight: 8, arbitrary: fc.constant(undefined) },
        fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
        nastyString,
      ),
      contentEncoding: fc.oneof({ weight: 10, arbitrary: fc.constant(undefined) }, fc.constant("gzip")),
      sidecarDown: fc.oneof({ weight: 4, arbitrary: fc.constant(false) }, fc.constant(true)),
    })
    .map(({ event, envelopeChanges, dataChanges, replaceWith, contentEncoding, sidecarDown }) => {
      const mutated = replaceWith !== undefined || contentEncoding !== undefined || Object.keys(envelopeChanges).length + Object.keys(dataChanges).length > 0;
      const body = replaceWith ?? JSON.stringify({ ...event, ...envelopeChanges, data: { ...(event.data as object), ...dataChanges } });
      return { body, contentEncoding, sidecarDown, mutated };
    });
}

/** What the reply table says for this body, as far as the runtime decides it; undefined: the handler decides (SUCCESS or DROP). */
function expectedStatus(
  definition: FunctionDefinition<TopicTrigger>,
  body: string,
  contentEncoding: string | undefined,
  sidecarDown: boolean,
  processed: Set<string>,
): DaprStatus | undefined {
  if (contentEncoding) return "DROP";
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return "DROP";
  }
  if (unstorableTextErrors(parsed, "event").length > 0) return "DROP";
  let envelope;
  try {
    envelope = parseCloudEvent(parsed);
  } catch {
    return "DROP";
  }
  const schema = Object.hasOwn(definition.trigger.events, envelope.type) ? definition.trigger.events[envelope.type] : undefined;
  if (!schema?.safeParse(envelope.data).success) return "DROP";
  // An event handled before is acknowledged without running the handler (shrinking replays events).
  if (processed.has(envelope.id)) return "SUCCESS";
  return sidecarDown && NEEDS_SIDECAR.has(definition.name) ? "RETRY" : undefined;
}

async function post(app: TestApp, path: string, body: string, headers: Record<string, string>): Promise<Response> {
  return app.request(path, {
    method: "POST",
    headers: { "content-type": "application/cloudevents+json", "dapr-api-token": TEST_APP_API_TOKEN, ...headers },
    body,
  });
}

describe("every topic function's subscriber route under generated events", () => {
  for (const definition of TOPIC_FUNCTIONS) {
    it(`${definition.name} answers as the reply table says, the same on redelivery, and writes nothing when it drops`, async () => {
      const app = apps.get(definition.name)!;
      const path = subscriberPath(definition.trigger);
      const seen = new Map<string, number>();
      const processed = new Set<string>();
      const runs = await fuzz(
        `${definition.name} event route`,
        fc.asyncProperty(delivery(definition), async ({ body, contentEncoding, sidecarDown, mutated }) => {
          dapr.down = sidecarDown;
          const headers: Record<string, string> = contentEncoding ? { "content-encoding": contentEncoding } : {};
          const before = await fingerprint();
          const replies: DaprStatus[] = [];
          for (let attempt = 0; attempt < 2; attempt++) {
            const res = await post(app, path, body, headers);
            expect(res.status, "Dapr reads the outcome from the body").toBe(200);
            replies.push(((await res.json()) as { status: DaprStatus }).status);
          }
          dapr.down = false;
          const [first, second] = replies;
          seen.set(first!, (seen.get(first!) ?? 0) + 1);
          expect(second, "a redelivery answers the same").toBe(first);
          const expected = expectedStatus(definition, body, contentEncoding, sidecarDown, processed);
          if (first === "SUCCESS") processed.add((JSON.parse(body) as { id: string }).id);
          if (expected) expect(first).toBe(expected);
          // A changed but valid event may still be one its handler refuses as poison (e.g. an RRULE it cannot expand).
          else expect(first, "a valid event is never retried while everything is up").toMatch(mutated ? /^(SUCCESS|DROP)$/ : /^SUCCESS$/);
          if (first !== "SUCCESS") expect(await fingerprint(), "a dropped or retried event writes nothing").toBe(before);
        }),
        { runs: 1_500, timeLimitMs: 8_000 },
      );
      console.info(`${definition.name} event fuzz: ${runs} events, each delivered twice; replies ${JSON.stringify(Object.fromEntries(seen))}`);
      expect(runs).toBeGreaterThan(100);
      expect([...seen.keys()].sort(), `replies seen: ${JSON.stringify([...seen])}`).toEqual(
        NEEDS_SIDECAR.has(definition.name) ? ["DROP", "RETRY", "SUCCESS"] : ["DROP", "SUCCESS"],
      );
    }, 60_000);
  }
});

describe("every binding route and the other-events route under generated requests", () => {
  it("never answers 5xx, and answers every 4xx as problem+json", async () => {
    const routes = [
      ...BINDING_FUNCTIONS.map((f) => ({ app: apps.get(f.name)!, path: `/${(f.trigger as { binding: string }).binding}` })),
      ...TOPIC_FUNCTIONS.map((f) => ({ app: apps.get(f.name)!, path: "/events/other" })),
    ];
    const request = fc.record({
      route: fc.constantFrom(...routes),
      method: fc.constantFrom("POST", "POST", "OPTIONS", "GET", "PUT"),
      token: fc.constantFrom(TEST_APP_API_TOKEN, TEST_APP_API_TOKEN, "", "wrong", undefined),
      body: fc.oneof(
        fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
        nastyString,
      ),
    });
    await fuzz(
      "binding routes",
      fc.asyncProperty(request, async ({ route, method, token, body }) => {
        const res = await route.app.request(route.path, {
          method,
          headers: token === undefined ? {} : { "dapr-api-token": token },
          ...(method === "GET" ? {} : { body }),
        });
        const text = await res.text();
        if (res.status >= 500) throw new Error(`${res.status}: ${text}`);
        if (res.status >= 400) expect(res.headers.get("content-type")).toBe("application/problem+json");
      }),
      { runs: 300, timeLimitMs: 5_000 },
    );
  }, 30_000);
});
