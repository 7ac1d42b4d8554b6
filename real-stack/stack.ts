/**
 * All of taskfn on the real runtime, on one machine and loopback only:
 * PostgreSQL (embedded, or DATABASE_URL), a Kafka broker with the topics
 * created explicitly, every function as its own process (the bundles the
 * images run) with its own daprd, and the gateway in front. `npm run
 * start:dapr` and the e2e suite both start it through startStack().
 */
import { join } from "node:path";
import { FUNCTIONS, HTTP_FUNCTIONS } from "../functions/catalog.js";
import type { FunctionDefinition } from "../runtime/types.js";
import { buildFunctions } from "../toolkit/build.js";
import { startDevDatabase } from "../toolkit/dev-database.js";
import { createGateway } from "../toolkit/gateway.js";
import { listen } from "../toolkit/listen.js";
import { startAppInstance, type AppInstance } from "../toolkit/app-instance.js";
import { renderDaprResources } from "../toolkit/dapr-resources.js";
import { startKafka } from "../toolkit/kafka.js";
import type { Exit } from "../toolkit/process.js";
import { freePort } from "../toolkit/net.js";
import { TASKFN_TOPICS } from "../toolkit/topics.js";

export interface StackOptions {
  /** Holds `postgres/` (embedded), `kafka/` and `dapr-resources/` (rendered each start). */
  dataDir: string;
  /** An existing server's database (created if missing, then migrated), or an embedded PostgreSQL on this port. */
  database: { url: string } | { port: number };
  /** 0 picks a free port. */
  gatewayPort: number;
  /** Port of a function's first instance; default (and for further replicas) a free port. */
  functionPort?: (definition: FunctionDefinition) => number;
  /** Instances per app id (default 1), each with its own sidecar. */
  replicas?: Readonly<Record<string, number>>;
  /** Cron schedules by component name, overriding dapr/ (the suite ticks every second). */
  schedules?: Readonly<Record<string, string>>;
  /** Loads the reminder-webhook binding (dapr/optional) pointing there. */
  reminderWebhookUrl?: string;
  jwtSecret: string;
  /** Passed to every function under what the stack sets (e.g. LOG_LEVEL). */
  env?: Record<string, string>;
  daprLogLevel?: string;
  /** Every line any process prints, with its source (`create-task`, `create-task.dapr`, `kafka`). */
  print(source: string, line: string): void;
}

/** A function process or daprd (`<name>.dapr`) that exited without being asked to. */
export interface Crash extends Exit {
  name: string;
}

export interface Stack {
  gatewayUrl: string;
  brokers: string;
  databaseUrl: string;
  /** Every instance of an app, its first one (the gateway's target) first. */
  instances(appId: string): readonly AppInstance[];
  /** Every function process or daprd that exited without being asked to, in order. */
  crashes(): readonly Crash[];
  /** Fault injection: SIGKILL the broker, then start it again on the same ports and data. */
  killKafka(): Promise<void>;
  restartKafka(): Promise<void>;
  /** Fault injection on the embedded PostgreSQL (not on a DATABASE_URL): fast shutdown, then start on the same port and data. */
  stopPostgres(): Promise<void>;
  startPostgres(): Promise<void>;
  /** The gateway, every instance (its sidecar first), then Kafka and PostgreSQL. */
  stop(): Promise<void>;
}

export async function startStack(options: StackOptions): Promise<Stack> {
  const stops: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const stop of stops.splice(0).reverse()) await stop();
  };
  // Every start is awaited to the end, failed or not, so a failure never leaves something running untracked.
  const tracked = <T extends { stop(): Promise<void> }>(starting: Promise<T>) =>
    starting.then((running) => {
      stops.push(() => running.stop());
      return running;
    });
  try {
    // startDevDatabase reads `port` only when it starts the embedded server.
    const database = "url" in options.database ? { url: options.database.url, port: 0 } : options.database;
    const startDatabase = () => startDevDatabase({ dataDir: join(options.dataDir, "postgres"), ...database });
    const kafkaOptions = { dataDir: join(options.dataDir, "kafka"), topics: TASKFN_TOPICS, log: (line: string) => options.print("kafka", line) };
    const starting = [tracked(startDatabase()), tracked(startKafka(kafkaOptions)), buildFunctions()] as const;
    await Promise.allSettled(starting);
    const [firstPostgres, firstKafka, build] = await Promise.all(starting);
    let [postgres, kafka] = [firstPostgres, firstKafka];
    // Restarted ones are stopped through these, not through the stops of the first start.
    stops.splice(
      0,
      stops.length,
      () => postgres.stop(),
      () => kafka.stop(),
    );
    const crashes: Crash[] = [];

    const resourcesPath = await renderDaprResources({
      dir: join(options.dataDir, "dapr-resources"),
      brokers: kafka.brokers,
      schedules: options.schedules,
      optional: options.reminderWebhookUrl !== undefined,
    });
    // Eleven processes share the server: small pools keep them under a stock max_connections of 100.
    const env = { DATABASE_POOL_SIZE: "5", ...options.env, DATABASE_URL: postgres.url, AUTH_JWT_SECRET: options.jwtSecret };
    const sidecarEnv = options.reminderWebhookUrl ? { REMINDER_WEBHOOK_URL: options.reminderWebhookUrl } : undefined;
    const bundles = new Map(build.functions.map((built) => [built.appId, built.bundle]));

    const plan = FUNCTIONS.flatMap((definition) =>
      Array.from({ length: options.replicas?.[definition.appId] ?? 1 }, (_, index) => ({ definition, replica: index + 1 })),
    );
    // Slots in plan order (a function's first instance first); stopped all at once, as daprd drains for seconds.
    const slots: (AppInstance | undefined)[] = [];
    stops.push(() => Promise.all(slots.map((instance) => instance?.stop())).then(() => undefined));
    const instancesStarting = plan.map(async ({ definition, replica }, index) => {
      slots[index] = await startAppInstance({
        definition,
        name: replica === 1 ? definition.appId : `${definition.appId}#${replica}`,
        bundle: bundles.get(definition.appId)!,
        port: replica === 1 && options.functionPort ? options.functionPort(definition) : await freePort(),
        resourcesPath,
        env,
        sidecarEnv,
        daprLogLevel: options.daprLogLevel,
        log: options.print,
        onCrash: (name, exit) => crashes.push({ name, ...exit }),
      });
    });
    await Promise.allSettled(instancesStarting);
    await Promise.all(instancesStarting);
    const instances = slots.filter((instance) => instance !== undefined);

    const instancesOf = (appId: string) => instances.filter((instance) => instance.appId === appId);
    // npm start's gateway: each /api route straight to its function's first instance, as the ingress does.
    const portOf = (definition: FunctionDefinition) => instancesOf(definition.appId)[0]!.port;
    const gateway = await listen(createGateway({ functions: HTTP_FUNCTIONS, portOf }), options.gatewayPort);
    stops.push(() => gateway.close());

    return {
      gatewayUrl: `http://127.0.0.1:${gateway.port}`,
      brokers: kafka.brokers,
      databaseUrl: postgres.url,
      instances: instancesOf,
      crashes: () => [...crashes],
      killKafka: () => kafka.kill(),
      async restartKafka() {
        kafka = await startKafka({ ...kafkaOptions, port: kafka.port, controllerPort: kafka.controllerPort });
      },
      async stopPostgres() {
        if ("url" in options.database) throw new Error("the stack does not own the PostgreSQL at DATABASE_URL: it cannot stop it");
        await postgres.stop();
      },
      async startPostgres() {
        postgres = await startDatabase();
      },
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
