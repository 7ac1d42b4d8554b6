/**
 * 7. Poison and redrive. A malformed task.completed, and a completion whose
 * handler fails every configured attempt (injected in PostgreSQL, see
 * consumer-faults.ts), reach tasks-dlq; `npm run dlq -- list` shows both with
 * their reason, and `npm run dlq -- redrive <id>` republishes the second with
 * its original CloudEvent id: processed once, and once only however often it
 * is redriven. An outbox row the sidecar keeps refusing (larger than Kafka
 * takes) is set aside after a bounded number of attempts, with its error,
 * while every other row, the same user's included, is published.
 */
import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { TOPICS } from "../../tasks/events.js";
import { handMadeEvent } from "../cloud-events.js";
import { settle } from "./checks.js";
import { paced, recurringTask, tally, user, type Answer } from "./clients.js";
import { failingTitle, injectConsumerFailures, slotAttempts } from "./consumer-faults.js";
import { runDlqTool } from "./dlq-tool.js";
import { useFaultStack } from "./fault-stack.js";
import { recordRow } from "./results.js";
import { waitFor } from "../../toolkit/net.js";

/** 1 + the 21 retries of dapr/resiliency.yaml's eventDelivery policy. */
const DELIVERY_ATTEMPTS = 22;
/** Kafka's default message.max.bytes is 1 MB: this row can never be published. */
const TOO_LARGE_BYTES = 1_500_000;
const BOUND_MS = 120_000;
/** At most, created 300 ms apart while the refused row waits: the relay publishes them over more than MAX_ATTEMPTS ticks. */
const OTHER_TASKS = 300;

describe("7. poison and redrive", () => {
  const faultStack = useFaultStack("7-poison-and-redrive");

  it("dead letters arrive after the configured attempts, are listed with their reason and redriven safely; a refused outbox row is set aside", async () => {
    const fault = faultStack();
    const { stack, db } = fault;
    await injectConsumerFailures(db, 1);
    const api = user(stack.gatewayUrl, "poison", await fault.mintToken("poison"));
    const answers: Answer[] = [];

    // A completion that fails every attempt Dapr makes.
    const failing = await api.create(recurringTask(failingTitle("always failing", 0, DELIVERY_ATTEMPTS)));
    answers.push(failing);
    const completed = await api.complete(failing.task!.id);
    answers.push(completed);
    const [failingEvent] = await db.query<{ id: string }>(
      "SELECT id::text FROM outbox_events WHERE cloud_event->>'type' = 'task.completed' AND cloud_event->>'subject' = $1",
      [failing.task!.id],
    );

    // A malformed one, published through a sidecar as a buggy producer would.
    const malformed = { ...handMadeEvent("task.completed", randomUUID(), { id: "not-a-uuid" }), partitionkey: api.userId };
    const publisher = stack.instances("complete-task")[0]!;
    const published = await fetch(`http://127.0.0.1:${publisher.daprHttpPort}/v1.0/publish/pubsub/${TOPICS.tasks}?metadata.partitionKey=${api.userId}`, {
      method: "POST",
      headers: { "content-type": "application/cloudevents+json", "dapr-api-token": publisher.daprApiToken },
      body: JSON.stringify(malformed),
    });
    expect(published.status).toBe(204);

    // An outbox row no broker will take, written as a function would. The relay parks a row only for
    // refusals while the sidecar accepts others (an outage parks nothing), so other users' events wait
    // for the relay meanwhile: createTask's sidecar is down while they are created.
    const refusedId = randomUUID();
    const huge = { ...handMadeEvent("task.updated", randomUUID(), { padding: "x".repeat(TOO_LARGE_BYTES) }), id: refusedId, partitionkey: api.userId };
    await db.query("INSERT INTO outbox_events (id, topic, partition_key, cloud_event) VALUES ($1, $2, $3, $4)", [
      refusedId,
      TOPICS.tasks,
      api.userId,
      JSON.stringify(huge),
    ]);
    const others = await Promise.all(
      Array.from({ length: 4 }, async (_, n) => user(stack.gatewayUrl, `poison-other-${n}`, await fault.mintToken(`poison-other-${n}`))),
    );
    const createTask = stack.instances("create-task")[0]!;
    const parked = async () => (await db.count("SELECT 1 FROM outbox_events WHERE id = $1 AND parked_at IS NOT NULL", [refusedId])) === 1;
    let isParked = false;
    await createTask.stopSidecar();
    try {
      // Other users' events wait for the relay beside the refused one until it is parked (bounded).
      await paced({ clients: 1, everyMs: 300, steps: OTHER_TASKS, until: Date.now() + BOUND_MS, stop: () => isParked }, async (_, n) => {
        answers.push(await (n % 5 === 0 ? api : others[n % 4]!).create({ title: `beside the refused row ${n}` }));
        if (n % 5 === 4) isParked = await parked();
      });
    } finally {
      await createTask.startSidecar();
    }

    await waitFor(
      "the refused row parked, both events on tasks-dlq",
      BOUND_MS,
      async () => {
        const ids = (await runDlqTool(stack, ["list"])).deadLetters.map((entry) => entry.id);
        return ids.includes(malformed.id) && ids.includes(failingEvent!.id) && (await parked()) ? true : undefined;
      },
      { intervalMs: 2_000 },
    );
    const attemptsBeforeRedrive = (await slotAttempts(db, 1))[0]!;

    await runDlqTool(stack, ["redrive", failingEvent!.id]);
    await runDlqTool(stack, ["redrive", failingEvent!.id]);
    const since = Date.now();
    const figures = await settle(fault, { completedSeries: [failing.task!.seriesId], timeoutMs: BOUND_MS, since, neverPublished: [refusedId] });
    const listed = await runDlqTool(stack, ["list"]);
    recordRow({
      scenario: "7 poison and redrive",
      ...figures,
      exited: stack.crashes().length,
      pending: figures.pending,
      notes: `DLQ: malformed (from both consumer groups) + failing (all expected, ${attemptsBeforeRedrive} attempts before dead-lettering); redriven twice, next instance once; refused row set aside: ${listed.parked.map((row) => row.id).includes(refusedId)}; HTTP ${tally(answers)}`,
    });

    expect(
      answers.filter((answer) => answer.status >= 300 || answer.status === 0),
      tally(answers),
    ).toEqual([]);
    expect(attemptsBeforeRedrive, "delivery attempts before the event was dead-lettered").toBeGreaterThanOrEqual(DELIVERY_ATTEMPTS);
    // The malformed one once from each consumer group of tasks (onTaskCompleted, recordTaskHistory: Dapr 1.18
    // dead-letters a DROP reply too), the failing one from onTaskCompleted.
    expect(figures.dlqRecords.map((record) => record.event.id).sort()).toEqual([malformed.id, malformed.id, failingEvent!.id].sort());
    expect(listed.deadLetters.filter((entry) => entry.id === malformed.id || entry.id === failingEvent!.id).every((entry) => entry.reason.length > 0)).toBe(
      true,
    );
    expect(listed.parked.find((row) => row.id === refusedId)?.error).toBeTruthy();
    expect(figures.duplicated).toBe(0);
    expect(figures.lost).toBe(0);
    expect(stack.crashes()).toEqual([]);
  });
});
