import type { EventHandler, FunctionRuntime } from "../../runtime/contract.js";
import { REMINDER_WEBHOOK_BINDING, type sendReminder } from "./definition.js";

/**
 * Runs inside the transaction that records the event as processed: a failed
 * delivery throws, the marker rolls back and Dapr retries (then dead-letters).
 */
export function createSendReminderHandler({ dapr }: FunctionRuntime): EventHandler<typeof sendReminder.trigger> {
  let webhookConfigured: boolean | undefined;
  return async (event, { log }) => {
    webhookConfigured ??= await dapr.hasComponent(REMINDER_WEBHOOK_BINDING);
    if (!webhookConfigured) {
      log.info({ reminder: event.data }, "reminder due (no reminder-webhook binding configured)");
      return;
    }
    await dapr.invokeBinding({
      name: REMINDER_WEBHOOK_BINDING,
      operation: "post",
      data: { eventId: event.id, ...event.data },
      // bindings.http sends capitalised metadata as headers. Delivery is at least once:
      // the receiver can drop a repeat by this key.
      metadata: { "Content-Type": "application/json", "Idempotency-Key": event.id },
    });
  };
}
