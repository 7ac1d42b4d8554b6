/**
 * The end-to-end scenarios of taskfn, written once and run against every
 * target: the local stand-in (`npm start`) and real daprd + Kafka, so the
 * stand-in cannot drift from Dapr unnoticed. A scenario that needs each app's
 * Dapr tokens (to publish by hand, invoke or authenticate as the app) or a
 * sidecar per instance (to take one down) runs where the target offers it.
 * E2E_TARGETS=stand-in or =real runs one target.
 */
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { BINDING_FUNCTIONS, FUNCTIONS, HTTP_FUNCTIONS, TOPIC_FUNCTIONS } from "../functions/catalog.js";
import { DEAD_LETTER_TOPICS, ReminderDueData, TOPICS } from "../tasks/events.js";
import { TaskJson } from "../tasks/task-schema.js";
import { cloudEventOf, handMadeEvent, withSubjects } from "./cloud-events.js";
import { invokeUrl, publishThrough } from "./dapr-http.js";
import { readOutbox } from "./outbox.js";
import { realDapr } from "./real-dapr-target.js";
import { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from "./otlp-receiver.js";
import { startReminderWebhook, type ReminderWebhook } from "./reminder-webhook.js";
import { standIn } from "./stand-in-target.js";
import { callJson, userApi } from "./taskfn-api.js";
import { sidecarOf, tokensOf, type Target, type TargetDriver } from "./target.js";
import { eventually, settledCount } from "./wait.js";

const DRIVERS: Record<string, TargetDriver> = { "stand-in": standIn, real: realDapr };
const selected = (process.env.E2E_TARGETS || "stand-in,real").split(",").map((name) => {
  const driver = DRIVERS[name.trim()];
  if (!driver) throw new Error(`E2E_TARGETS: unknown target "${name}" (known: ${Object.keys(DRIVERS).join(", ")})`);
  return driver;
});

/** Unique per run, so runs against a long-lived Kafka (KAFKA_BROKERS) never see each other's events. */
const RUN = randomBytes(3).toString("hex");
const userId = (scenario: string) => `e2e-${RUN}-${scenario}`;
const inOneHour = () => new Date(Date.now() + 3_600_000).toISOString();

// 1 + the 21 retries of dapr/resiliency.yaml's eventDelivery policy (pubsub inbound).
const DELIVERY_ATTEMPTS = 22;
// Past the `occurrence` column (a 32-bit integer): inserting the next instance fails every time.
const LAST_OCCURRENCE = 2_147_483_647;

function databaseFor(name: string): string {
  const url = new URL(inject("postgresAdminUrl"));
  url.pathname = `/e2e_${name.replace(/\W+/g, "_")}_${RUN}`;
  return url.href;
}

function logged(target: Target, message: string, ceId: string) {
  return target.logs().filter((entry) => entry.msg === message && entry.ceId === ceId);
}

/** A traceparent of the test's own, so the test knows the trace id and the root span of what it starts. */
function clientTrace(): { traceparent: string; traceId: string; spanId: string } {
  const traceId = randomBytes(16).toString("hex");
  const spanId = randomBytes(8).toString("hex");
  return { traceparent: `00-${traceId}-${spanId}-01`, traceId, spanId };
}

/** The spans of one trace, once `ready` says they are all there. */
function traceSpans(receiver: OtlpReceiver, traceId: string, ready: (spans: ReceivedSpan[]) => boolean): Promise<ReceivedSpan[]> {
  return eventually(`the spans of trace ${traceId}`, () => {
    const spans = receiver.spans().filter((span) => span.traceId === traceId);
    return ready(spans) ? spans : undefined;
  });
}

/** Every span's parent is a span of the same trace, or the client's root span: one connected trace. */
function expectOneTree(spans: readonly ReceivedSpan[], rootSpanId: string): void {
  const ids = new Set([rootSpanId, ...spans.map((span) => span.spanId)]);
  expect(spans.filter((span) => !ids.has(span.parentSpanId)).map((span) => `${span.service}: ${span.name}`)).toEqual([]);
}

const has = (spans: readonly ReceivedSpan[], service: string, name: string) => spans.some((span) => span.service === service && span.name === name);

describe.each(selected)("$name", (driver) => {
  let target: Target;
  let webhook: ReminderWebhook;
  let otlp: OtlpReceiver;

  beforeAll(async () => {
    webhook = await startReminderWebhook();
    otlp = await startOtlpReceiver();
    target = await driver.start({ databaseUrl: databaseFor(driver.name), reminderWebhookUrl: webhook.url, otlpEndpoint: otlp.endpoint });
  });

  afterAll(async () => {
    await target?.stop();
    await webhook?.stop();
    await otlp?.stop();
  });

  it("1. createTask puts exactly one task.created on `tasks`: key = userId, id = the outbox row's id, our type and source", async () => {
    const api = await userApi(target, userId("created"));
    const task = await api.createTask({ title: "Water the plants" });

    const count = await settledCount(
      "task.created on tasks",
      1,
      async () => withSubjects(await target.records(TOPICS.tasks), "task.created", [task.id]).length,
    );
    expect(count).toBe(1);
    const [record] = withSubjects(await target.records(TOPICS.tasks), "task.created", [task.id]);
    const event = cloudEventOf(record!);
    expect(record!.key).toBe(api.userId);
    expect(event).toMatchObject({ specversion: "1.0", type: "task.created", source: "/taskfn/createTask", subject: task.id, partitionkey: api.userId });
    expect(TaskJson.parse(event.data)).toEqual(task);
    const outbox = await readOutbox(target.databaseUrl, { subjects: [task.id] });
    expect(outbox.map((row) => [row.id, row.topic, row.publishedAt !== null])).toEqual([[event.id, TOPICS.tasks, true]]);
  });

  // Dapr 1.18 dead-letters an event that matches no route: the subscriptions' default route
  // acknowledges the types a function does not handle, so healthy events never reach tasks-dlq.
  it("1b. an event type onTaskCompleted does not handle stays off tasks-dlq", async () => {
    const api = await userApi(target, userId("not-dead"));
    const task = await api.createTask({ title: "onTaskCompleted does not subscribe to task.created" });
    const [record] = await eventually("its task.created", async () => {
      const found = withSubjects(await target.records(TOPICS.tasks), "task.created", [task.id]);
      return found.length > 0 ? found : undefined;
    });
    const { id } = cloudEventOf(record!);
    const onDeadLetters = async () => (await target.records(DEAD_LETTER_TOPICS.tasks)).filter((r) => cloudEventOf(r).id === id).length;
    const count = await settledCount("its task.created on tasks-dlq", 0, onDeadLetters, { settleMs: 3_000 });
    expect(count).toBe(0);
  });

  describe("2. completing a recurring task", () => {
    async function completeRecurring(scenario: string) {
      const api = await userApi(target, userId(scenario));
      const first = await api.createTask({ title: "Stand-up", dueAt: inOneHour(), recurrence: "FREQ=DAILY" });
      const completed = await api.completeTask(first.id);
      const next = await eventually("the next instance", async () => (await api.listTasks()).find((task) => task.occurrence === 2));
      return { api, completed, next };
    }

    it("creates exactly one next instance, announced by one task.created", async () => {
      const { api, completed, next } = await completeRecurring("recurring");

      expect(next).toMatchObject({ seriesId: completed.seriesId, completed: false, dueAt: new Date(Date.parse(completed.dueAt!) + 86_400_000).toISOString() });
      expect(await settledCount("tasks of the series", 2, async () => (await api.listTasks()).length)).toBe(2);
      const created = withSubjects(await target.records(TOPICS.tasks), "task.created", [next.id]);
      expect(created.map((record) => [record.key, cloudEventOf(record).source])).toEqual([[api.userId, "/taskfn/onTaskCompleted"]]);
    });

    it("is seen by both consumer groups: onTaskCompleted creates the next instance and recordTaskHistory records the completion", async () => {
      const { api, completed, next } = await completeRecurring("fan-out");
      const [event] = withSubjects(await target.records(TOPICS.tasks), "task.completed", [completed.id]).map(cloudEventOf);
      const history = await eventually("task.completed in the history", async () => {
        const entries = await api.taskHistory(completed.id);
        return entries.some((entry) => entry.type === "task.completed") ? entries : undefined;
      });
      expect(history.map((entry) => [entry.eventId, entry.type])).toEqual([
        [expect.any(String), "task.created"],
        [event!.id, "task.completed"],
      ]);
      expect(history[1]!.changes).toEqual({ completed: { from: false, to: true }, completedAt: { from: null, to: completed.completedAt } });
      const nextHistory = await eventually("the next instance's task.created in its history", async () => {
        const entries = await api.taskHistory(next.id);
        return entries.length > 0 ? entries : undefined;
      });
      expect(nextHistory.map((entry) => entry.type)).toEqual(["task.created"]);
    });

    it("reopening the completed instance: open again, its untouched next instance deleted, task.reopened in its history, a second reopen changes nothing", async () => {
      const { api, completed, next } = await completeRecurring("reopen");

      const reopened = await api.reopenTask(completed.id);
      expect(reopened).toMatchObject({ id: completed.id, completed: false, completedAt: null, occurrence: 1 });
      expect((await api.listTasks()).map((task) => task.id)).toEqual([completed.id]);
      const deleted = async () => withSubjects(await target.records(TOPICS.tasks), "task.deleted", [next.id]).length;
      expect(await settledCount("task.deleted of the next instance", 1, deleted)).toBe(1);

      // recordTaskHistory read the task.reopened from Kafka, in its own consumer group.
      const reopenedEvents = async () => withSubjects(await target.records(TOPICS.tasks), "task.reopened", [completed.id]).map(cloudEventOf);
      const [event] = await eventually("task.reopened on tasks", async () => ((await reopenedEvents()).length > 0 ? reopenedEvents() : undefined));
      const history = await eventually("task.reopened in the history", async () => {
        const entries = await api.taskHistory(completed.id);
        return entries.some((entry) => entry.type === "task.reopened") ? entries : undefined;
      });
      expect(history.map((entry) => entry.type)).toEqual(["task.created", "task.completed", "task.reopened"]);
      expect(history[2]).toMatchObject({ eventId: event!.id, changes: { completed: { from: true, to: false } } });
      const nextHistory = await eventually("the next instance's task.deleted in its history", async () => {
        const entries = await api.taskHistory(next.id);
        return entries.at(-1)?.type === "task.deleted" ? entries : undefined;
      });
      expect(nextHistory.map((entry) => entry.type)).toEqual(["task.created", "task.deleted"]);

      expect(await api.reopenTask(completed.id)).toEqual(reopened);
      expect(await settledCount("task.reopened of the task", 1, async () => (await reopenedEvents()).length, { settleMs: 3_000 })).toBe(1);
      expect((await api.taskHistory(completed.id)).map((entry) => entry.type)).toEqual(["task.created", "task.completed", "task.reopened"]);
    });

    it("reopening answers 409 and changes nothing once the next instance was changed", async () => {
      const { api, completed, next } = await completeRecurring("reopen-conflict");
      await api.updateTask(next.id, { title: "Stand-up, moved" });

      await callJson(`${target.gatewayUrl}/api/${encodeURIComponent(api.userId)}/tasks/${completed.id}/reopen`, { method: "POST", headers: api.headers }, 409);
      const tasks = await api.listTasks();
      expect(tasks.map((task) => [task.id, task.completed]).sort()).toEqual(
        [
          [completed.id, true],
          [next.id, false],
        ].sort(),
      );
    });

    it.runIf(driver.holdsTokens)("still creates exactly one when the same task.completed is published again by hand", async () => {
      const { api, completed, next } = await completeRecurring("republished");
      const [original] = withSubjects(await target.records(TOPICS.tasks), "task.completed", [completed.id]);
      const event = cloudEventOf(original!);

      await publishThrough(target.instances("complete-task")[0]!, TOPICS.tasks, event, api.userId);

      await eventually("onTaskCompleted to see the duplicate", () => logged(target, "duplicate delivery acknowledged", event.id)[0]);
      expect(await settledCount("tasks of the series", 2, async () => (await api.listTasks()).length)).toBe(2);
      expect(withSubjects(await target.records(TOPICS.tasks), "task.completed", [completed.id])).toHaveLength(2);
      expect(withSubjects(await target.records(TOPICS.tasks), "task.created", [next.id])).toHaveLength(1);
    });
  });

  it(`3. 50 due reminders → exactly 50 reminder.due from ${driver.reminderInstances} onReminderDue instance(s); the webhook gets each once, after failed attempts are retried`, async () => {
    const api = await userApi(target, userId("reminders"));
    const failures = 5;
    webhook.failNext(failures);
    const remindAt = new Date(Date.now() + 3_000).toISOString();
    const tasks: TaskJson[] = [];
    for (let batch = 0; batch < 5; batch++) {
      tasks.push(
        ...(await Promise.all(Array.from({ length: 10 }, (_, i) => api.createTask({ title: `Reminder ${batch * 10 + i}`, dueAt: inOneHour(), remindAt })))),
      );
    }
    const taskIds = new Set(tasks.map((task) => task.id));
    const ourCalls = () => webhook.calls().filter((call) => taskIds.has(call.taskId));

    // The stand-in ticks reminder-cron as dapr/ says (every 30 s); real daprd ticks every second here.
    const delivered = await settledCount("successful webhook calls", 50, () => ourCalls().filter((call) => call.status === 200).length, {
      timeoutMs: 90_000,
      settleMs: 3_000,
    });
    expect(delivered).toBe(50);

    const events = (await target.records(TOPICS.reminders)).filter((record) => taskIds.has(ReminderDueData.parse(cloudEventOf(record).data).taskId));
    expect(events).toHaveLength(50);
    expect(new Set(events.map((record) => ReminderDueData.parse(cloudEventOf(record).data).taskId))).toEqual(taskIds);
    expect(new Set(events.map((record) => record.key))).toEqual(new Set([api.userId]));
    expect(new Set(events.map((record) => cloudEventOf(record).source))).toEqual(new Set(["/taskfn/onReminderDue"]));

    const calls = ourCalls();
    const succeeded = calls.filter((call) => call.status === 200).map((call) => call.eventId);
    expect(new Set(succeeded).size).toBe(50);
    expect(new Set(succeeded)).toEqual(new Set(events.map((record) => cloudEventOf(record).id)));
    const failed = calls.filter((call) => call.status === 503);
    expect(failed).toHaveLength(failures);
    for (const call of failed) expect(succeeded).toContain(call.eventId);

    const ticking = new Set(
      target
        .logs()
        .filter((entry) => entry.msg === "onReminderDue done")
        .map((entry) => entry.instance),
    );
    expect(ticking.size).toBe(driver.reminderInstances);
  });

  it.runIf(driver.holdsTokens)(
    `4. poison on tasks: a malformed event is dropped by each consumer group (logged, delivered once to each); one whose handler keeps failing reaches tasks-dlq after ${DELIVERY_ATTEMPTS} attempts`,
    async () => {
      const api = await userApi(target, userId("poison"));
      const task = await api.createTask({ title: "Poison", dueAt: inOneHour(), recurrence: "FREQ=DAILY" });
      // Completed for real first: onTaskCompleted creates no next instance of a task that is open again (reopened).
      const completed = await api.completeTask(task.id);
      const malformed = handMadeEvent("task.completed", task.id, { id: "not-a-uuid" });
      const failing = handMadeEvent("task.completed", task.id, { ...completed, occurrence: LAST_OCCURRENCE });
      const publisher = target.instances("complete-task")[0]!;
      await publishThrough(publisher, TOPICS.tasks, malformed, api.userId);
      await publishThrough(publisher, TOPICS.tasks, failing, api.userId);

      // Two consumer groups take task.completed: each drops the malformed event (and dead-letters it);
      // only onTaskCompleted fails on the other (recordTaskHistory records it).
      const deadLetters = async () => (await target.records(DEAD_LETTER_TOPICS.tasks)).map(cloudEventOf);
      const ours = async () =>
        (await deadLetters())
          .filter((event) => event.id === malformed.id || event.id === failing.id)
          .map((event) => event.id)
          .sort();
      await eventually("the malformed event from both groups and the failing one on tasks-dlq", async () => ((await ours()).length >= 3 ? true : undefined));

      expect(
        logged(target, "event dropped", malformed.id)
          .map((entry) => entry.fn)
          .sort(),
      ).toEqual(["onTaskCompleted", "recordTaskHistory"]);
      expect(logged(target, "event failed; Dapr will retry", malformed.id)).toHaveLength(0);
      expect(logged(target, "event failed; Dapr will retry", failing.id).map((entry) => entry.fn)).toEqual(Array(DELIVERY_ATTEMPTS).fill("onTaskCompleted"));
      // Dapr 1.18 dead-letters a DROP reply too when the subscription names a deadLetterTopic.
      expect(await ours()).toEqual([malformed.id, malformed.id, failing.id].sort());
      expect((await api.listTasks()).map((t) => t.occurrence).sort()).toEqual([1, 2]);
    },
  );

  it.runIf(driver.sidecarPerInstance)(
    "5. with createTask's sidecar down, tasks are still created (201); every event arrives once it is back, none twice",
    async () => {
      const api = await userApi(target, userId("sidecar-down"));
      const [createTask] = target.instances("create-task");
      const sidecar = sidecarOf(createTask!);
      const tasks: TaskJson[] = [];
      await sidecar.stop();
      try {
        for (let i = 0; i < 5; i++) tasks.push(await api.createTask({ title: `Written while the sidecar is down ${i}` }, createTask!.appUrl));
        const unpublished = await readOutbox(target.databaseUrl, { subjects: tasks.map((task) => task.id), published: false });
        expect(unpublished).toHaveLength(5);
      } finally {
        await sidecar.start();
      }

      const ids = tasks.map((task) => task.id);
      const count = await settledCount(
        "task.created of the 5 tasks",
        5,
        async () => withSubjects(await target.records(TOPICS.tasks), "task.created", ids).length,
        { settleMs: 3_000 },
      );
      expect(count).toBe(5);
      const events = withSubjects(await target.records(TOPICS.tasks), "task.created", ids).map(cloudEventOf);
      expect(new Set(events.map((event) => event.subject))).toEqual(new Set(ids));
      expect(await readOutbox(target.databaseUrl, { subjects: ids, published: false })).toHaveLength(0);
    },
  );

  describe.runIf(driver.exportsSpans)("9. one trace from the HTTP request to the last consumer", () => {
    // completeTask → task.completed → onTaskCompleted → task.created (next instance) → recordTaskHistory, and task.completed → recordTaskHistory.
    const complete = (everything: ReceivedSpan[]) =>
      has(everything, "complete-task", "POST /api/{userId}/tasks/{taskId}/complete") &&
      everything.filter((span) => span.service === "on-task-completed" && span.name === "process task.completed").length === 1 &&
      has(everything, "record-task-history", "process task.completed") &&
      has(everything, "record-task-history", "process task.created");

    async function completeRecurring(api: Awaited<ReturnType<typeof userApi>>, baseUrl: string) {
      const task = await api.createTask({ title: "Traced stand-up", dueAt: inOneHour(), recurrence: "FREQ=DAILY" });
      const trace = clientTrace();
      await callJson(
        `${baseUrl}/api/${encodeURIComponent(api.userId)}/tasks/${task.id}/complete`,
        { method: "POST", headers: { ...api.headers, traceparent: trace.traceparent } },
        200,
      );
      return trace;
    }

    it("an HTTP completion of a recurring task: completeTask, onTaskCompleted and recordTaskHistory spans in one trace, each consumer a child of its producer", async () => {
      const api = await userApi(target, userId("traced"));
      const trace = await completeRecurring(api, target.gatewayUrl);
      const spans = await traceSpans(otlp, trace.traceId, complete);

      expectOneTree(spans, trace.spanId);
      const byId = new Map(spans.map((span) => [span.spanId, span]));
      const parentOf = (span: ReceivedSpan) => byId.get(span.parentSpanId);
      const server = spans.find((span) => span.service === "complete-task" && span.name.startsWith("POST"))!;
      expect(server.parentSpanId).toBe(trace.spanId);
      for (const consumer of spans.filter((span) => span.name.startsWith("process "))) {
        // Each delivery is a child of the publish that put its event on the topic.
        expect(parentOf(consumer)?.name, `${consumer.service}: ${consumer.name}`).toBe("publish tasks");
      }
      const nextCreated = spans.find((span) => span.service === "record-task-history" && span.name === "process task.created")!;
      expect(parentOf(parentOf(nextCreated)!)).toMatchObject({ service: "on-task-completed", name: "process task.completed" });

      // Each SQL statement is a child of the request or delivery that ran it (runtime/sql-statement.ts names them).
      const statementsUnder = (parent: ReceivedSpan) =>
        spans.filter((span) => span.parentSpanId === parent.spanId && !span.name.startsWith("publish ")).map((span) => span.name);
      expect(statementsUnder(server)).toEqual(expect.arrayContaining(["UPDATE tasks", "SELECT outbox_write_events", "SELECT outbox_finish_publishing"]));
      const nextInstance = spans.find((span) => span.service === "on-task-completed" && span.name === "process task.completed")!;
      expect(statementsUnder(nextInstance)).toEqual(expect.arrayContaining(["INSERT processed_events", "INSERT tasks", "SELECT outbox_write_events"]));
      const historyDeliveries = spans.filter((span) => span.service === "record-task-history" && span.name.startsWith("process "));
      for (const delivery of historyDeliveries) expect(statementsUnder(delivery), delivery.name).toContain("INSERT processed_events");
      // A redelivery finds its processed-event marker and writes nothing more; the first delivery of each event appends its entry.
      for (const name of ["process task.completed", "process task.created"]) {
        const appended = historyDeliveries.filter((delivery) => delivery.name === name && statementsUnder(delivery).includes("INSERT task_history"));
        expect(appended.length, name).toBeGreaterThan(0);
      }
    });

    it("the relayed path keeps the trace: completeTask's sidecar down, relayOutbox publishes the event later in the request's trace", async () => {
      const api = await userApi(target, userId("traced-relay"));
      const [completeTask] = target.instances("complete-task");
      const sidecar = sidecarOf(completeTask!);
      await sidecar.stop();
      let trace: ReturnType<typeof clientTrace>;
      try {
        trace = await completeRecurring(api, completeTask!.appUrl);
      } finally {
        await sidecar.start();
      }
      const spans = await traceSpans(otlp, trace.traceId, (everything) => complete(everything) && has(everything, "relay-outbox", "publish tasks"));
      expectOneTree(spans, trace.spanId);
      const failed = spans.find((span) => span.service === "complete-task" && span.name === "publish tasks");
      expect(failed, "completeTask's own publish attempt, which failed").toBeDefined();
    });
  });

  describe("6. createTask, one function per endpoint", () => {
    it("answers on its own port", async () => {
      const api = await userApi(target, userId("direct"));
      const task = await api.createTask({ title: "Direct" }, target.instances("create-task")[0]!.appUrl);
      expect((await api.listTasks()).map((t) => t.id)).toEqual([task.id]);
    });

    it.runIf(driver.holdsTokens)("answers through its sidecar's service invocation API", async () => {
      const api = await userApi(target, userId("invoked"));
      const instance = target.instances("create-task")[0]!;
      const url = invokeUrl(instance, "create-task", `/api/${api.userId}/tasks`);
      const headers = { ...api.headers, "dapr-api-token": tokensOf(instance).daprApiToken };
      const task = TaskJson.parse(await callJson(url, { method: "POST", headers, body: JSON.stringify({ title: "Invoked" }) }, 201));
      expect((await api.listTasks()).map((t) => t.id)).toEqual([task.id]);
    });
  });

  describe("7. dapr-api-token between every app and its sidecar", () => {
    const status = async (url: string, init: RequestInit = {}) => {
      const response = await fetch(url, { ...init, signal: AbortSignal.timeout(10_000) });
      await response.body?.cancel();
      return response.status;
    };
    const allInstances = () => FUNCTIONS.flatMap((definition) => target.instances(definition.appId).map((instance) => ({ definition, instance })));

    it("every sidecar answers 401 without the app's DAPR_API_TOKEN", async () => {
      for (const daprUrl of new Set(allInstances().map(({ instance }) => instance.daprUrl))) {
        expect(await status(`${daprUrl}/v1.0/metadata`), daprUrl).toBe(401);
      }
    });

    it.runIf(driver.holdsTokens)("every sidecar accepts its own app's token only", async () => {
      const instances = allInstances();
      for (const [index, { definition, instance }] of instances.entries()) {
        const metadata = await callJson(`${instance.daprUrl}/v1.0/metadata`, { headers: { "dapr-api-token": tokensOf(instance).daprApiToken } }, 200);
        expect((metadata as { id?: unknown }).id).toBe(definition.appId);
        const other = instances[(index + 1) % instances.length]!.instance;
        expect(await status(`${instance.daprUrl}/v1.0/metadata`, { headers: { "dapr-api-token": tokensOf(other).daprApiToken } }), instance.name).toBe(401);
      }
    });

    it("every function refuses its sidecar-only routes without APP_API_TOKEN (401), and HTTP functions any call without a bearer token", async () => {
      const sidecarRoutes = [
        ...TOPIC_FUNCTIONS.map((definition) => ({ appId: definition.appId, path: "/dapr/subscribe", method: "GET" })),
        ...BINDING_FUNCTIONS.map((definition) => ({ appId: definition.appId, path: `/${definition.trigger.binding}`, method: "OPTIONS" })),
      ];
      for (const { appId, path, method } of sidecarRoutes) {
        for (const instance of target.instances(appId)) {
          expect(await status(`${instance.appUrl}${path}`, { method }), `${instance.name} ${method} ${path}`).toBe(401);
          expect(await status(`${instance.appUrl}${path}`, { method, headers: { "dapr-api-token": "wrong" } }), `${instance.name} wrong token`).toBe(401);
          if (instance.tokens)
            expect(await status(`${instance.appUrl}${path}`, { method, headers: { "dapr-api-token": instance.tokens.appApiToken } }), instance.name).toBe(200);
        }
      }
      for (const definition of HTTP_FUNCTIONS) {
        const path = definition.trigger.path.replace("{userId}", "someone").replace("{taskId}", "00000000-0000-4000-8000-000000000000");
        const [instance] = target.instances(definition.appId);
        expect(await status(`${instance!.appUrl}${path}`, { method: definition.trigger.method.toUpperCase() }), definition.appId).toBe(401);
      }
    });
  });
});
