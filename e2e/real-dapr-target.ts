/**
 * The real target: real-stack/stack.ts (every function with its own daprd, Kafka,
 * PostgreSQL), with what the suite needs to see quickly: crons ticking every
 * second, two onReminderDue instances, the webhook binding, and a Kafka
 * consumer reading every topic from the start.
 */
import { randomBytes } from "node:crypto";
import { mintDevToken } from "../toolkit/dev-auth.js";
import type { AppInstance } from "../toolkit/app-instance.js";
import { startStack } from "../real-stack/stack.js";
import { TASKFN_TOPICS } from "../toolkit/topics.js";
import { startKafkaTap } from "./kafka-tap.js";
import type { Instance, TargetDriver } from "./target.js";
import { inWorkspace } from "./workspace.js";

const REMINDER_INSTANCES = 2;

function toInstance(instance: AppInstance): Instance {
  return {
    name: instance.name,
    appUrl: `http://127.0.0.1:${instance.port}`,
    daprUrl: `http://127.0.0.1:${instance.daprHttpPort}`,
    tokens: { daprApiToken: instance.daprApiToken, appApiToken: instance.appApiToken },
    sidecar: { stop: () => instance.stopSidecar(), start: () => instance.startSidecar() },
  };
}

export const realDapr: TargetDriver = {
  name: "real daprd + Kafka",
  holdsTokens: true,
  sidecarPerInstance: true,
  reminderInstances: REMINDER_INSTANCES,
  start: ({ databaseUrl, reminderWebhookUrl }) =>
    inWorkspace("real-dapr", async ({ dataDir, logs }) => {
      const secret = randomBytes(32).toString("base64url");
      const stack = await startStack({
        dataDir,
        database: { url: databaseUrl },
        gatewayPort: 0,
        replicas: { "on-reminder-due": REMINDER_INSTANCES },
        schedules: { "outbox-cron": "@every 1s", "reminder-cron": "@every 1s" },
        reminderWebhookUrl,
        jwtSecret: secret,
        env: { LOG_LEVEL: "info" },
        print: logs.add,
      });
      const tap = await startKafkaTap(
        stack.brokers,
        TASKFN_TOPICS.map((topic) => topic.name),
      ).catch(async (error: unknown) => {
        await stack.stop();
        throw error;
      });
      return {
        gatewayUrl: stack.gatewayUrl,
        databaseUrl: stack.databaseUrl,
        mintToken: (userId) => mintDevToken(userId, secret),
        instances: (appId) => stack.instances(appId).map(toInstance),
        records: async (topic) => tap.records(topic),
        logs: logs.entries,
        async stop() {
          try {
            await tap.stop();
          } finally {
            await stack.stop();
          }
        },
      };
    }),
};
