/**
 * 2. Competing consumers. Three onTaskCompleted instances, each with its own
 * daprd, share the `tasks` partitions (one consumer group). 1000 recurring
 * tasks are completed; a third of the way through, one instance's daprd is
 * killed with SIGKILL (no drain: its uncommitted deliveries come again to
 * whoever gets its partitions) and started again 3 s later (a second
 * rebalance). Every completion must still get exactly one next instance.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { settle } from "./checks.js";
import { paced, recurringTask, tally, user, waitUntil, type Answer } from "./clients.js";
import { useFaultStack } from "./fault-stack.js";
import { recordRow } from "./results.js";

const REPLICAS = 3;
const USERS = 20;
const TASKS_PER_USER = 50;
const KILL_AFTER = 330;
const SIDECAR_DEAD_MS = 3_000;
const LOAD_BOUND_MS = 240_000;
const RECOVERY_BOUND_MS = 120_000;

describe("2. competing consumers", () => {
  const faultStack = useFaultStack("2-competing-consumers", { "on-task-completed": REPLICAS });

  it("3 onTaskCompleted instances, one daprd killed mid-stream and restarted: exactly one next instance per completion", async () => {
    const fault = faultStack();
    const { stack } = fault;
    const users = await Promise.all(
      Array.from({ length: USERS }, async (_, u) => user(stack.gatewayUrl, `competing-${u}`, await fault.mintToken(`competing-${u}`))),
    );
    const answers: Answer[] = [];
    const created: string[][] = users.map(() => []);
    await paced({ clients: USERS, everyMs: 0, steps: TASKS_PER_USER, until: Date.now() + LOAD_BOUND_MS }, async (u, t) => {
      const answer = await users[u]!.create(recurringTask(`competing u${u} t${t}`));
      answers.push(answer);
      if (answer.task) created[u]!.push(answer.task.id);
    });

    const series: string[] = [];
    const victim = stack.instances("on-task-completed")[1]!;
    let faultEnded = 0;
    const kill = (async () => {
      await waitUntil(`${KILL_AFTER} completions`, () => series.length >= KILL_AFTER, LOAD_BOUND_MS);
      await victim.killSidecar();
      await sleep(SIDECAR_DEAD_MS);
      await victim.startSidecar();
      faultEnded = Date.now();
    })();
    await paced({ clients: USERS, everyMs: 0, steps: TASKS_PER_USER, until: Date.now() + LOAD_BOUND_MS }, async (u, t) => {
      const answer = await users[u]!.complete(created[u]![t]!);
      answers.push(answer);
      if (answer.task) series.push(answer.task.seriesId);
    });
    await kill;

    const figures = await settle(fault, { completedSeries: series, timeoutMs: RECOVERY_BOUND_MS, since: faultEnded });
    const byConsumer = await fault.db.query<{ source: string; n: string }>(
      "SELECT cloud_event->>'source' AS source, count(*) AS n FROM outbox_events WHERE cloud_event->>'source' LIKE '%onTaskCompleted' GROUP BY 1",
    );
    recordRow({
      scenario: "2 competing consumers",
      ...figures,
      exited: stack.crashes().length,
      pending: figures.pending,
      notes: `${REPLICAS} consumers, ${series.length} completions, ${victim.name}'s daprd SIGKILLed at ${KILL_AFTER} and restarted; same id on Kafka again: ${figures.republished}; HTTP ${tally(answers)}`,
    });

    expect(
      answers.filter((answer) => answer.status >= 300 || answer.status === 0),
      tally(answers),
    ).toEqual([]);
    expect(series).toHaveLength(USERS * TASKS_PER_USER);
    expect(figures.lost).toBe(0);
    expect(figures.duplicated).toBe(0);
    expect(figures.dlq).toBe(0);
    expect(stack.crashes()).toEqual([]);
    expect(byConsumer.map((row) => Number(row.n))).toEqual([USERS * TASKS_PER_USER]);
  });
});
