import { defineFunction } from "../../runtime/contract.js";

export const onReminderDue = defineFunction({
  name: "onReminderDue",
  appId: "on-reminder-due",
  port: 3108,
  description: "On every cron tick, claims due reminders and emits reminder.due for each, exactly once across replicas.",
  trigger: { kind: "binding", binding: "reminder-cron" },
});
