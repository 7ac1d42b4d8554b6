import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildCloudEvent } from "../../runtime/cloud-event.js";
import { RetryableError } from "../../runtime/errors.js";
import { taskfnEvent, type EventData } from "../../tasks/events.js";
import { countRows, createTestDatabase, type TestDatabase } from "../../test/database.js";
import { DAPR_DELIVERY_FIELDS, deliver } from "../../test/events.js";
import { createRecordingDapr, createTestApp, createTestRuntime, type RecordingDapr } from "../../test/runtime.js";
import { REMINDER_WEBHOOK_BINDING, sendReminder } from "./definition.js";
import { subscriberPath } from "../../runtime/topic-trigger.js";
import { createSendReminderHandler } from "./handler.js";

const ROUTE = subscriberPath(sendReminder.trigger);

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(() => database.drop());

/** A sendReminder app on a sidecar double that has the webhook binding, or not. */
function setup({ webhook }: { webhook: boolean }): { app: ReturnType<typeof createTestApp>; dapr: RecordingDapr } {
  const dapr = createRecordingDapr(webhook ? [REMINDER_WEBHOOK_BINDING] : []);
  return { app: createTestApp(sendReminder, createSendReminderHandler, createTestRuntime(database.db, dapr)), dapr };
}

function reminderEvent(overrides: Partial<EventData<"reminder.due">> = {}) {
  const data = {
    taskId: randomUUID(),
    userId: "alice",
    title: "Call the bank",
    dueAt: "2030-01-01T09:00:00.000Z",
    remindAt: "2030-01-01T08:45:00.000Z",
    ...overrides,
  };
  return {
    ...buildCloudEvent(taskfnEvent("reminder.due", data.taskId, data.userId, data), "/taskfn/onReminderDue"),
    ...DAPR_DELIVERY_FIELDS,
    topic: "reminders",
    data,
  };
}

const markers = (eventId: string) => database.prisma.processedEvent.count({ where: { consumer: "send-reminder", eventId } });

describe("sendReminder", () => {
  it("posts the reminder through the reminder-webhook binding when the sidecar has it, with the event id as Idempotency-Key", async () => {
    // The webhook is called at least once (a redelivery after a lost acknowledgement
    // calls it again): the header lets the receiver drop the repeat.
    const { app, dapr } = setup({ webhook: true });
    const event = reminderEvent();
    expect(await deliver(app, ROUTE, event)).toBe("SUCCESS");
    expect(dapr.bindings).toEqual([
      {
        name: "reminder-webhook",
        operation: "post",
        data: { eventId: event.id, ...event.data },
        // Capitalised metadata keys are sent as HTTP headers by bindings.http.
        metadata: { "Content-Type": "application/json", "Idempotency-Key": event.id },
      },
    ]);
    expect(await markers(event.id)).toBe(1);
  });

  it("only logs the reminder when no reminder-webhook binding is configured, and answers SUCCESS", async () => {
    const { app, dapr } = setup({ webhook: false });
    const event = reminderEvent();
    expect(await deliver(app, ROUTE, event)).toBe("SUCCESS");
    expect(dapr.bindings).toEqual([]);
    expect(await markers(event.id)).toBe(1);
  });

  it("sends a reminder once, however often it is delivered", async () => {
    const { app, dapr } = setup({ webhook: true });
    const event = reminderEvent();
    await deliver(app, ROUTE, event);
    expect(await deliver(app, ROUTE, event)).toBe("SUCCESS");
    expect(await Promise.all([deliver(app, ROUTE, event), deliver(app, ROUTE, event)])).toEqual(["SUCCESS", "SUCCESS"]);
    expect(dapr.bindings).toHaveLength(1);
  });

  it("answers RETRY when the binding fails, keeps no processed marker, and sends it on a later delivery", async () => {
    const { app, dapr } = setup({ webhook: true });
    dapr.beforeBinding = () => {
      throw new RetryableError("webhook answered 502");
    };
    const event = reminderEvent();
    expect(await deliver(app, ROUTE, event)).toBe("RETRY");
    expect(dapr.bindings).toEqual([]);
    expect(await markers(event.id)).toBe(0);

    dapr.beforeBinding = undefined;
    expect(await deliver(app, ROUTE, event)).toBe("SUCCESS");
    expect(dapr.bindings).toHaveLength(1);
    expect(await markers(event.id)).toBe(1);
  });

  it("answers RETRY while the sidecar cannot say which components it has", async () => {
    const { app, dapr } = setup({ webhook: true });
    dapr.down = true;
    const event = reminderEvent();
    expect(await deliver(app, ROUTE, event)).toBe("RETRY");
    dapr.down = false;
    expect(await deliver(app, ROUTE, event)).toBe("SUCCESS");
    expect(dapr.bindings).toHaveLength(1);
  });

  it.each([
    ["a malformed body", "{"],
    ["a task event instead of a reminder", { ...reminderEvent(), type: "task.created" }],
    ["a reminder without remindAt", { ...reminderEvent(), data: { ...reminderEvent().data, remindAt: undefined } }],
    ["a reminder whose taskId is not a uuid", { ...reminderEvent(), data: { ...reminderEvent().data, taskId: "42" } }],
  ])("drops %s without calling the binding or recording anything", async (_what, body) => {
    const { app, dapr } = setup({ webhook: true });
    const before = await countRows(database.prisma);
    expect(await deliver(app, ROUTE, body)).toBe("DROP");
    expect(dapr.bindings).toEqual([]);
    expect(await countRows(database.prisma)).toEqual(before);
  });
});
