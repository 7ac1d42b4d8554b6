/**
 * The stand-in target: `npm start` exactly as a developer runs it (startDev),
 * on free ports, the suite's database and the webhook. What it offers the
 * suite is what startDev exposes: the gateway, each function's port, the one
 * stand-in sidecar's URL (its tokens stay inside startDev) and the output.
 * Its topics are in memory. What reached them from the functions shows in
 * the outbox, whose rows are marked published only once the stand-in
 * accepted the event; what it dead-lettered, in its log.
 */
import { randomBytes } from "node:crypto";
import { FUNCTIONS } from "../functions/catalog.js";
import { DEAD_LETTER_TOPICS } from "../tasks/events.js";
import { startDev } from "../dev/start.js";
import { freePort } from "../toolkit/net.js";
import { readOutbox } from "./outbox.js";
import type { LogEntry } from "../toolkit/log-book.js";
import type { TargetDriver, TopicRecord } from "./target.js";
import { inWorkspace } from "./workspace.js";

const DEAD_LETTER_TOPIC_NAMES: ReadonlySet<string> = new Set(Object.values(DEAD_LETTER_TOPICS));

/** The stand-in logs each event it dead-letters (dev/dapr-stand-in/delivery.ts), with its id and type. */
function deadLettered(entries: readonly LogEntry[], topic: string): TopicRecord[] {
  return entries
    .filter((entry) => entry.fn === "dapr" && typeof entry.msg === "string" && entry.msg.endsWith(`sent to dead-letter topic ${topic}`))
    .map((entry) => ({ topic, key: undefined, value: JSON.stringify({ specversion: "1.0", id: entry.eventId, type: entry.eventType }) }));
}

export const standIn: TargetDriver = {
  name: "local stand-in (npm start)",
  // startDev keeps the tokens it generates to itself, and one process is every app's sidecar.
  holdsTokens: false,
  sidecarPerInstance: false,
  reminderInstances: 1,
  start: ({ databaseUrl, reminderWebhookUrl }) =>
    inWorkspace("stand-in", async ({ dataDir, logs }) => {
      const ports = new Map<string, number>();
      for (const definition of FUNCTIONS) ports.set(definition.appId, await freePort());
      const sidecarPort = await freePort();
      const dev = await startDev({
        dataDir,
        gatewayPort: await freePort(),
        sidecarPort,
        functionPort: (definition) => ports.get(definition.appId)!,
        env: {
          DATABASE_URL: databaseUrl,
          AUTH_JWT_SECRET: randomBytes(32).toString("base64url"),
          REMINDER_WEBHOOK_URL: reminderWebhookUrl,
          LOG_LEVEL: "info",
          // Raw pino lines, so the suite can read what the functions logged.
          LOG_FORMAT: "json",
        },
        print: (line) => logs.add("stand-in", line),
      });
      return {
        gatewayUrl: dev.gatewayUrl,
        databaseUrl,
        mintToken: dev.mintToken,
        instances: (appId) => [{ name: appId, appUrl: `http://127.0.0.1:${ports.get(appId)}`, daprUrl: `http://127.0.0.1:${sidecarPort}` }],
        async records(topic) {
          if (DEAD_LETTER_TOPIC_NAMES.has(topic)) return deadLettered(logs.entries(), topic);
          const rows = await readOutbox(databaseUrl, { topic, published: true });
          return rows.map((row) => ({ topic, key: row.partitionKey, value: JSON.stringify(row.cloudEvent) }));
        },
        logs: logs.entries,
        stop: () => dev.stop(),
      };
    }),
};
