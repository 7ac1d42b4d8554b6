/**
 * The receiving end of the reminder-webhook binding, on loopback: records every
 * POST and can fail the next few (503) to prove that a failed delivery is
 * retried and then succeeds, once.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

export interface WebhookCall {
  eventId: string;
  taskId: string;
  /** What the webhook answered. */
  status: number;
}

export interface ReminderWebhook {
  url: string;
  calls(): readonly WebhookCall[];
  /** Answer the next `count` calls with 503. */
  failNext(count: number): void;
  stop(): Promise<void>;
}

export async function startReminderWebhook(): Promise<ReminderWebhook> {
  const calls: WebhookCall[] = [];
  let failing = 0;
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const body = JSON.parse(Buffer.concat(chunks).toString("utf8") || "{}") as { eventId?: unknown; taskId?: unknown };
      const status = failing > 0 ? 503 : 200;
      if (failing > 0) failing--;
      calls.push({ eventId: String(body.eventId), taskId: String(body.taskId), status });
      response.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/reminders`,
    calls: () => [...calls],
    failNext(count) {
      failing = count;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
