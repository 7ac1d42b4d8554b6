// A real single-node Kafka (KRaft broker+controller in one JVM) on 127.0.0.1,
// or, when KAFKA_BROKERS is set, an external broker we only create topics on.
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { Admin } from "@platformatic/kafka";
import { canConnect, freePort, waitFor } from "./net.js";
import { launch } from "./process.js";
import { provisionedKafka } from "./provisioned.js";

export interface KafkaTopic {
  name: string;
  partitions: number;
}

export interface StartKafkaOptions {
  /** Client (PLAINTEXT) port; a free one by default. Pass the previous port to restart on the same address. */
  port?: number;
  controllerPort?: number;
  /** Holds config, logs and data; reused (not reformatted) if it already holds a formatted broker. */
  dataDir: string;
  topics: readonly KafkaTopic[];
  log?: (line: string) => void;
}

export interface RunningKafka {
  /** "127.0.0.1:<port>", ready for a Dapr `brokers` metadata value or a Kafka client. */
  brokers: string;
  /** Client and controller ports: startKafka with both (and the same dataDir) restarts this broker. */
  port: number;
  controllerPort: number;
  stop(): Promise<void>;
  /** SIGKILL, as a crashed broker: no controlled shutdown. Resolves once the JVM has exited. */
  kill(): Promise<void>;
}

const READY_TIMEOUT_MS = 60_000;
const STOP_GRACE_MS = 20_000;

export async function startKafka(opts: StartKafkaOptions): Promise<RunningKafka> {
  const external = process.env.KAFKA_BROKERS;
  if (external) {
    await ensureTopics(external, opts.topics);
    const notOurs = async () => {
      throw new Error("KAFKA_BROKERS points at a broker this process did not start: it cannot be killed");
    };
    return { brokers: external, port: 0, controllerPort: 0, stop: async () => {}, kill: notOurs };
  }

  const libs = provisionedKafka();
  const dataDir = resolve(opts.dataDir);
  const port = opts.port ?? (await freePort());
  const controllerPort = opts.controllerPort ?? (await freePort());
  const brokers = `127.0.0.1:${port}`;
  mkdirSync(dataDir, { recursive: true });
  const props = join(dataDir, "server.properties");
  const log4j = join(dataDir, "log4j2.properties");
  writeFileSync(props, serverProperties(join(dataDir, "kraft"), port, controllerPort));
  writeFileSync(log4j, LOG4J2);

  const java = [
    "-Xms128m",
    "-Xmx512m",
    "-XX:+UseG1GC",
    "-Djava.awt.headless=true",
    "-Dlog4j2.shutdownHookEnabled=false",
    `-Dlog4j2.configurationFile=${log4j}`,
    "-cp",
    join(libs, "*"),
  ];
  if (!existsSync(join(dataDir, "kraft", "meta.properties"))) {
    // KRaft storage must be formatted once with a cluster id (22 chars of base64url, a Kafka Uuid).
    // Attached with `=`: one in 64 ids starts with "-", which as a separate argument reads as an option.
    const clusterId = randomBytes(16).toString("base64url");
    const fmt = spawnSync("java", [...java, "kafka.tools.StorageTool", "format", `--cluster-id=${clusterId}`, "-c", props], { encoding: "utf8" });
    if (fmt.status !== 0) throw new Error(`Kafka storage format failed (${fmt.error?.message ?? `exit ${fmt.status}`}):\n${fmt.stdout}${fmt.stderr}`);
  }

  const kafka = await launch({
    name: `Kafka on ${brokers}`,
    command: "java",
    args: [...java, "kafka.Kafka", props],
    env: process.env,
    output: opts.log ?? (() => {}),
    ready: () => canConnect(port),
    readyTimeoutMs: READY_TIMEOUT_MS,
    graceMs: STOP_GRACE_MS,
  });
  try {
    await ensureTopics(brokers, opts.topics, kafka.exitReason, kafka.tail);
  } catch (err) {
    await kafka.stop();
    throw err;
  }
  return { brokers, port, controllerPort, stop: kafka.stop, kill: async () => void (await kafka.signal("SIGKILL")) };
}

/** Creates the topics that don't exist yet and waits until every partition has a leader. */
export async function ensureTopics(brokers: string, topics: readonly KafkaTopic[], abort?: () => string | undefined, describe?: () => string): Promise<void> {
  const admin = new Admin({ clientId: "taskfn-infra", bootstrapBrokers: brokers.split(","), retries: 0 });
  try {
    // The socket accepts connections before the broker has joined the KRaft
    // quorum; metadata listing the broker itself is the real "ready" signal.
    await waitFor(
      `Kafka metadata from ${brokers}`,
      READY_TIMEOUT_MS,
      async () => ((await admin.metadata({ topics: [] })).brokers.size > 0 ? true : undefined),
      {
        abort,
        describe,
        intervalMs: 300,
      },
    );
    const existing = new Set(await admin.listTopics());
    for (const t of topics.filter((t) => !existing.has(t.name))) {
      await admin.createTopics({ topics: [t.name], partitions: t.partitions, replicas: 1 });
    }
    if (topics.length === 0) return;
    const names = topics.map((t) => t.name);
    await waitFor(
      `Kafka topics ${names.join(", ")} to get leaders`,
      READY_TIMEOUT_MS,
      async () => {
        const md = await admin.metadata({ topics: names, forceUpdate: true });
        const ready = names.every((n) => {
          const parts = md.topics.get(n)?.partitions ?? [];
          return parts.length > 0 && parts.every((p) => p.leader >= 0);
        });
        return ready ? true : undefined;
      },
      { abort, describe, intervalMs: 300 },
    );
  } finally {
    await admin.close();
  }
}

function serverProperties(logDir: string, port: number, controllerPort: number): string {
  return `# Generated by toolkit/kafka.ts: one JVM is both KRaft controller and broker.
process.roles=broker,controller
node.id=1
# Static quorum: the controller address lives here, not in the formatted
# storage, so a dataDir can be restarted on other ports.
controller.quorum.voters=1@127.0.0.1:${controllerPort}
listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}
advertised.listeners=PLAINTEXT://127.0.0.1:${port}
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=${logDir}
# Topics are created explicitly (like production): a typo must fail, not create a topic.
auto.create.topics.enable=false
num.partitions=1
default.replication.factor=1
# Single broker: internal topics cannot have more than one replica. Few
# partitions keep startup and the first consumer-group join fast.
offsets.topic.replication.factor=1
offsets.topic.num.partitions=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
# Consumers (daprd) get partitions immediately instead of after 3 s.
group.initial.rebalance.delay.ms=0
`;
}

const LOG4J2 = `# Generated by toolkit/kafka.ts: everything to stdout, which startKafka forwards to opts.log.
status = warn
appender.out.type = Console
appender.out.name = STDOUT
appender.out.target = SYSTEM_OUT
appender.out.layout.type = PatternLayout
appender.out.layout.pattern = [%d{HH:mm:ss.SSS}] %p %m (%c{1})%n
rootLogger.level = INFO
rootLogger.appenderRefs = out
rootLogger.appenderRef.out.ref = STDOUT
logger.state.name = state.change.logger
logger.state.level = WARN
`;
