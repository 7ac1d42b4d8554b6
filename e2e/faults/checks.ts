/**
 * What every scenario checks afterwards, from the database and from Kafka:
 * every outbox event reached its topic, every completed recurring task got
 * exactly one next instance announced by one task.created, and what reached
 * the dead-letter topics.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { DEAD_LETTER_TOPICS, TOPICS } from "../../tasks/events.js";
import { waitFor } from "../../toolkit/net.js";
import type { FaultStack } from "./fault-stack.js";
import { copiesById, readTopic, type TopicRecord } from "./topics.js";

export interface Expectations {
  /** Series whose first instance was completed: each must get exactly one occurrence 2. */
  completedSeries: readonly string[];
  /** How long recovery may take, from `since`. */
  timeoutMs: number;
  /** When the fault ended. */
  since: number;
  /** Outbox rows that must never reach Kafka (a row the broker refuses). */
  neverPublished?: readonly string[];
}

export interface Figures {
  eventsSent: number;
  effectsExpected: number;
  lost: number;
  duplicated: number;
  dlq: number;
  recoveryMs: number | undefined;
  /** The same CloudEvent id on its topic more than once (at-least-once publishing; consumers skip the copies). */
  republished: number;
  tasksRecords: readonly TopicRecord[];
  dlqRecords: readonly TopicRecord[];
  /** What was still missing when the bound ran out ("" when everything arrived in time). */
  pending: string;
}

async function nextInstances(fault: FaultStack, series: readonly string[]): Promise<Map<string, number>> {
  const rows = await fault.db.query<{ series_id: string; n: string }>(
    "SELECT series_id::text, count(*) AS n FROM tasks WHERE occurrence = 2 AND series_id = ANY($1::uuid[]) GROUP BY series_id",
    [series],
  );
  return new Map(rows.map((row) => [row.series_id, Number(row.n)]));
}

/** Waits until the outbox is drained and every expected next instance exists (bounded), then measures. */
export async function settle(fault: FaultStack, expected: Expectations): Promise<Figures> {
  // Completing a task that is already completed answers 200 with it again: a client that repeats a completion names its series twice.
  const completedSeries = [...new Set(expected.completedSeries)];
  let recoveryMs: number | undefined;
  let pending = "";
  const never = expected.neverPublished ?? [];
  try {
    await waitFor(
      "the outbox to drain and every next instance to exist",
      expected.timeoutMs,
      async () => {
        const unpublished = await fault.db.count("SELECT 1 FROM outbox_events WHERE published_at IS NULL AND NOT id = ANY($1::uuid[])", [never]);
        const next = await nextInstances(fault, completedSeries);
        pending = `after ${expected.timeoutMs / 1000} s: ${unpublished} outbox rows unpublished, ${completedSeries.length - next.size} next instances missing`;
        return unpublished === 0 && next.size === completedSeries.length ? true : undefined;
      },
      { intervalMs: 500 },
    );
    recoveryMs = Date.now() - expected.since;
    pending = "";
  } catch {
    // Measured below: what is missing is counted as lost.
  }
  // A late duplicate would still show.
  await sleep(3_000);

  const outbox = await fault.db.query<{ id: string; topic: string }>("SELECT id::text, topic FROM outbox_events WHERE NOT id = ANY($1::uuid[])", [never]);
  const brokers = fault.stack.brokers;
  const [tasksRecords, remindersRecords, tasksDlq, remindersDlq] = await Promise.all([
    readTopic(brokers, TOPICS.tasks),
    readTopic(brokers, TOPICS.reminders),
    readTopic(brokers, DEAD_LETTER_TOPICS.tasks),
    readTopic(brokers, DEAD_LETTER_TOPICS.reminders),
  ]);
  const onTopics = copiesById([...tasksRecords, ...remindersRecords]);
  const missingEvents = outbox.filter((row) => !onTopics.has(row.id)).length;
  const republished = [...onTopics.values()].reduce((sum, n) => sum + n - 1, 0);

  const next = await nextInstances(fault, completedSeries);
  const missingNext = completedSeries.filter((series) => !next.has(series)).length;
  const extraNext = [...next.values()].reduce((sum, n) => sum + n - 1, 0);
  // One task.created per task: two different event ids for one task is an effect twice.
  const createdIds = new Map<string, Set<string>>();
  for (const record of tasksRecords.filter((r) => r.event.type === "task.created")) {
    const ids = createdIds.get(record.event.subject ?? "") ?? new Set();
    createdIds.set(record.event.subject ?? "", ids.add(record.event.id));
  }
  const extraCreated = [...createdIds.values()].reduce((sum, ids) => sum + ids.size - 1, 0);

  return {
    eventsSent: outbox.length,
    effectsExpected: outbox.length + completedSeries.length,
    lost: missingEvents + missingNext,
    duplicated: extraNext + extraCreated,
    dlq: tasksDlq.length + remindersDlq.length,
    recoveryMs,
    republished,
    tasksRecords,
    dlqRecords: [...tasksDlq, ...remindersDlq],
    pending,
  };
}
