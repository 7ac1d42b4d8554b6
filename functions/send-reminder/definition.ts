import { PUBSUB_NAME, defineFunction } from "../../runtime/contract.js";
import { DEAD_LETTER_TOPICS, ReminderDueData, TOPICS } from "../../tasks/events.js";

export const sendReminder = defineFunction({
  name: "sendReminder",
  appId: "send-reminder",
  port: 3109,
  description: "Delivers each reminder.due through the reminder-webhook output binding, or logs it when none is configured.",
  trigger: {
    kind: "topic",
    pubsub: PUBSUB_NAME,
    topic: TOPICS.reminders,
    eventType: "reminder.due",
    data: ReminderDueData,
    deadLetterTopic: DEAD_LETTER_TOPICS.reminders,
  },
});

/** The Dapr output binding (bindings.http) reminders are sent through. */
export const REMINDER_WEBHOOK_BINDING = "reminder-webhook";
