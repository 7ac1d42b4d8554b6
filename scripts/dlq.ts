/**
 * `npm run dlq -- list | redrive <id…>|--all | requeue <id…>|--all`
 *
 * list     the dead letters in tasks-dlq and reminders-dlq (KAFKA_BROKERS, default
 *          the local 127.0.0.1:9092 of dapr/components/pubsub.yaml) and the outbox
 *          events relayOutbox parked (DATABASE_URL, when set)
 * redrive  republishes dead letters, chosen by CloudEvent id or --all, to their
 *          original topic with their original id and partition key
 * requeue  hands parked outbox events back to relayOutbox
 */
import { createDatabase } from "../runtime/database.js";
import { readDeadLetters, redrive, type DeadLetter } from "./dead-letters.js";
import { listParked, requeueParked } from "./parked-events.js";

const brokers = process.env.KAFKA_BROKERS ?? "127.0.0.1:9092";
const databaseUrl = process.env.DATABASE_URL;
const [command, ...args] = process.argv.slice(2);
const all = args.includes("--all");
const ids = args.filter((arg) => arg !== "--all");

function describeLetter(letter: DeadLetter): string {
  const event = letter.cloudEvent;
  const headers = Object.entries(letter.headers)
    .map(([key, value]) => `${key}=${value}`)
    .join(" ");
  return [
    `${event?.id ?? "(not a CloudEvent)"}  ${event?.type ?? ""}  key=${event?.partitionkey ?? ""}  subject=${event?.subject ?? ""}`,
    `    died in ${letter.topic} (partition ${letter.partition}, offset ${letter.offset}) at ${letter.timestamp}`,
    `    reason: Dapr records none; see the consumer's log at that time${headers ? `; headers: ${headers}` : ""}`,
  ].join("\n");
}

async function list(): Promise<void> {
  const letters = await readDeadLetters(brokers);
  console.log(`${letters.length} dead letters in ${brokers}`);
  for (const letter of letters) console.log(describeLetter(letter));
  if (!databaseUrl) return console.log("parked outbox events: set DATABASE_URL to list them");
  const db = createDatabase({ url: databaseUrl, maxConnections: 1 });
  try {
    const parked = await listParked(db);
    console.log(`${parked.length} parked outbox events`);
    for (const event of parked) {
      console.log(
        `${event.id}  ${event.type}  ${event.topic}  key=${event.partitionKey}  attempts=${event.attempts}  parked ${event.parkedAt.toISOString()}\n    last error: ${event.lastError ?? ""}`,
      );
    }
  } finally {
    await db.close();
  }
}

async function redriveChosen(): Promise<void> {
  const letters = (await readDeadLetters(brokers)).filter((letter) => all || ids.includes(letter.cloudEvent?.id ?? ""));
  const unknown = ids.filter((id) => !letters.some((letter) => letter.cloudEvent?.id === id));
  if (unknown.length > 0) throw new Error(`no dead letter with id ${unknown.join(", ")}`);
  // A letter redriven twice is in the topic twice: send each id once.
  const once = [...new Map(letters.map((letter) => [letter.cloudEvent?.id ?? letter.offset, letter])).values()];
  await redrive(brokers, once);
  console.log(`redrove ${once.length} dead letters`);
}

async function requeue(): Promise<void> {
  if (!databaseUrl) throw new Error("set DATABASE_URL to requeue parked outbox events");
  const db = createDatabase({ url: databaseUrl, maxConnections: 1 });
  try {
    console.log(`requeued ${await requeueParked(db, all ? "all" : ids)} parked outbox events`);
  } finally {
    await db.close();
  }
}

const commands: Record<string, () => Promise<void>> = { list, redrive: redriveChosen, requeue };
const run = command ? commands[command] : undefined;
if (!run || (command !== "list" && !all && ids.length === 0)) {
  console.error("usage: npm run dlq -- list | redrive <id…>|--all | requeue <id…>|--all");
  process.exitCode = 2;
} else {
  await run();
}
