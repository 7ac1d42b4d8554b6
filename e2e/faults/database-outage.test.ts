/**
 * 5. Database outage of 60 s while events flow. 600 recurring tasks exist;
 * PostgreSQL is stopped, and during the minute it is down their task.completed
 * events arrive on `tasks` (produced straight to Kafka: completeTask itself
 * cannot run without the database). The completions themselves are committed
 * before the outage, as completeTask commits a row before its event is
 * published: an event for a task still open in the database is one for a task
 * reopened since, and onTaskCompleted rightly creates nothing for it
 * (tasks/task-reopen.ts). onTaskCompleted cannot work, so Dapr must
 * stop delivering to it (app health check on /readyz) rather than retry the
 * events into tasks-dlq; once PostgreSQL is back every event is processed,
 * once, and nothing is on a dead-letter topic.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { ProduceAcks, Producer, stringSerializers } from "@platformatic/kafka";
import { describe, expect, it } from "vitest";
import { handMadeEvent } from "../cloud-events.js";
import { TOPICS } from "../../tasks/events.js";
import type { TaskJson } from "../../tasks/task-schema.js";
import { settle } from "./checks.js";
import { paced, recurringTask, tally, user, type Answer } from "./clients.js";
import { useFaultStack } from "./fault-stack.js";
import { recordRow } from "./results.js";

const USERS = 20;
const TASKS_PER_USER = 30;
const OUTAGE_MS = 60_000;
const RECOVERY_BOUND_MS = 150_000;

describe("5. database outage of 60 s", () => {
  const faultStack = useFaultStack("5-database-outage");

  it("consumers pause instead of dead-lettering; after recovery every event is processed once and nothing is on a DLQ", async () => {
    const fault = faultStack();
    const { stack } = fault;
    const users = await Promise.all(Array.from({ length: USERS }, async (_, u) => user(stack.gatewayUrl, `outage-${u}`, await fault.mintToken(`outage-${u}`))));
    const tasks: TaskJson[] = [];
    const answers: Answer[] = [];
    await paced({ clients: USERS, everyMs: 0, steps: TASKS_PER_USER, until: Date.now() + 120_000 }, async (u, t) => {
      const answer = await users[u]!.create(recurringTask(`outage u${u} t${t}`));
      answers.push(answer);
      if (answer.task) tasks.push(answer.task);
    });
    // The relay must not be left with rows to publish when the database goes.
    await sleep(2_000);
    const completedAt = new Date().toISOString();
    const completedRows = await fault.db.query(
      "UPDATE tasks SET completed = true, completed_at = $2, updated_at = $2 WHERE id = ANY($1::uuid[]) RETURNING id",
      [tasks.map((task) => task.id), completedAt],
    );
    expect(completedRows).toHaveLength(tasks.length);

    const outageStarted = Date.now();
    await stack.stopPostgres();
    const producer = new Producer({
      clientId: "taskfn-faults",
      bootstrapBrokers: stack.brokers.split(","),
      serializers: stringSerializers,
      acks: ProduceAcks.ALL,
    });
    const duringOutage: Answer[] = [];
    try {
      // The completions spread over the outage's first 50 s, one batch a second.
      const perSecond = Math.ceil(tasks.length / 50);
      for (let at = 0; at < tasks.length; at += perSecond) {
        const batch = tasks.slice(at, at + perSecond).map((task) => {
          const completed = { ...task, completed: true, completedAt, updatedAt: completedAt };
          return {
            topic: TOPICS.tasks,
            key: task.userId,
            value: JSON.stringify({ ...handMadeEvent("task.completed", task.id, completed), partitionkey: task.userId }),
          };
        });
        await producer.send({ messages: batch });
        duringOutage.push(await users[0]!.create(recurringTask("while the database is down")));
        await sleep(Math.max(0, outageStarted + (at / perSecond + 1) * 1_000 - Date.now()));
      }
    } finally {
      await producer.close();
    }
    await sleep(Math.max(0, outageStarted + OUTAGE_MS - Date.now()));
    const failedDeliveries = fault.logs
      .entries()
      .filter((entry) => entry.msg === "event failed; Dapr will retry" && entry.instance.startsWith("on-task-completed")).length;
    await stack.startPostgres();
    const faultEnded = Date.now();

    const figures = await settle(fault, { completedSeries: tasks.map((task) => task.id), timeoutMs: RECOVERY_BOUND_MS, since: faultEnded });
    recordRow({
      scenario: "5 database outage 60 s",
      ...figures,
      eventsSent: figures.eventsSent + tasks.length,
      effectsExpected: figures.effectsExpected,
      exited: stack.crashes().length,
      pending: figures.pending,
      notes: `${tasks.length} task.completed produced during the outage; failed deliveries while down: ${failedDeliveries}; HTTP while down ${tally(duringOutage)}`,
    });

    expect(
      answers.filter((answer) => answer.status !== 201),
      tally(answers),
    ).toEqual([]);
    expect(
      duringOutage.filter((answer) => !(answer.status === 503 && answer.problem && answer.retryAfter)),
      tally(duringOutage),
    ).toEqual([]);
    expect(stack.crashes()).toEqual([]);
    expect(figures.dlq).toBe(0);
    expect(figures.lost).toBe(0);
    expect(figures.duplicated).toBe(0);
  });
});
