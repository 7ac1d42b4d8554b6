/**
 * The same consumer on @dapr/dapr's DaprServer, written the way its docs show.
 * The SDK hands the callback only the event's `data`, not its envelope, so the
 * idempotency key is the completed task's id (unique per completion here, as the
 * CloudEvent id is): the SQL is the same as the baseline's. It publishes with the
 * SDK's own client, as an SDK user would.
 */
import { CommunicationProtocolEnum, DaprPubSubStatusEnum, DaprServer, LogLevel } from "@dapr/dapr";
import pg from "pg";
import { TaskJson } from "../../tasks/task-schema.js";
import { DAPR_HTTP_PORT, NO_DB, POOL_SIZE, PORT, databaseUrl } from "./env.js";
import { handleTaskCompleted } from "./event-work.js";
import type { Publish } from "./publisher.js";

const server = new DaprServer({
  serverHost: "127.0.0.1",
  serverPort: String(PORT),
  communicationProtocol: CommunicationProtocolEnum.HTTP,
  clientOptions: { daprHost: "127.0.0.1", daprPort: String(DAPR_HTTP_PORT), logger: { level: LogLevel.Error } },
  logger: { level: LogLevel.Error },
});
const pool = NO_DB ? undefined : new pg.Pool({ connectionString: databaseUrl(), max: POOL_SIZE });

const publish: Publish = async (cloudEvent, partitionKey) => {
  const result = await server.client.pubsub.publish("pubsub", "tasks", cloudEvent, {
    contentType: "application/cloudevents+json",
    metadata: { partitionKey },
  });
  if (result.error) throw result.error;
};

await server.pubsub.subscribe(
  "pubsub",
  "tasks",
  async (data: unknown) => {
    const parsed = TaskJson.safeParse(data);
    if (!parsed.success) return DaprPubSubStatusEnum.DROP;
    if (!pool) return DaprPubSubStatusEnum.SUCCESS;
    try {
      await handleTaskCompleted(pool, publish, parsed.data.id, parsed.data, "/bench/dapr-sdk");
      return DaprPubSubStatusEnum.SUCCESS;
    } catch {
      return DaprPubSubStatusEnum.RETRY;
    }
  },
  "events/task.completed",
);
await server.start();

// Exit through process.exit so that `node --cpu-prof` writes its profile.
process.once("SIGTERM", () => process.exit(0));
