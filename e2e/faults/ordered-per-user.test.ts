/**
 * 1. Ordered per user. 12 users, each creating, updating twice and completing
 * 30 recurring tasks one request after the other; onTaskCompleted fails the
 * first two attempts of one completion per user and every 100th completion
 * once (injected in PostgreSQL, see consumer-faults.ts); completeTask's
 * sidecar is down for a few seconds midway, so the completions of those seconds
 * reach Kafka later, published by the user's next writer or by relayOutbox, while
 * later events of the same users wait behind them.
 * Afterwards: every event on Kafka, one next instance per completion, nothing
 * on the dead-letter topics, and each user's completions consumed in the
 * order they were committed.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { settle } from "./checks.js";
import { paced, recurringTask, tally, user, waitUntil, type Answer } from "./clients.js";
import { consumption, failingTitle, injectConsumerFailures, slotAttempts } from "./consumer-faults.js";
import { useFaultStack } from "./fault-stack.js";
import { recordRow } from "./results.js";

const USERS = 12;
const TASKS_PER_USER = 30;
/** Completions counted over all users before completeTask's sidecar goes down. */
const SIDECAR_DOWN_AFTER = 100;
const SIDECAR_DOWN_MS = 4_000;
const LOAD_BOUND_MS = 180_000;
const RECOVERY_BOUND_MS = 120_000;

describe("1. ordered per user", () => {
  const faultStack = useFaultStack("1-ordered-per-user");

  it("every effect once, nothing dead-lettered, and each user's completions consumed in commit order, also those their writer could not publish", async () => {
    const fault = faultStack();
    const { stack, db } = fault;
    // Slot per failing task: one fail-twice per user, and every 100th task overall fails once.
    const plan = new Map<number, { slot: number; failures: number }>();
    for (let u = 0; u < USERS; u++) plan.set(u * TASKS_PER_USER + 7, { slot: plan.size, failures: 2 });
    for (let n = 99; n < USERS * TASKS_PER_USER; n += 100) if (!plan.has(n)) plan.set(n, { slot: plan.size, failures: 1 });
    await injectConsumerFailures(db, plan.size);

    const users = await Promise.all(
      Array.from({ length: USERS }, async (_, u) => user(stack.gatewayUrl, `ordered-${u}`, await fault.mintToken(`ordered-${u}`))),
    );
    const answers: Answer[] = [];
    const series: string[] = [];
    let completions = 0;
    let faultStarted = 0;
    let faultEnded = 0;
    const sidecar = stack.instances("complete-task")[0]!;
    const sidecarOutage = (async () => {
      await waitUntil(`${SIDECAR_DOWN_AFTER} completions`, () => completions >= SIDECAR_DOWN_AFTER, LOAD_BOUND_MS);
      await sidecar.stopSidecar();
      faultStarted = Date.now();
      await sleep(SIDECAR_DOWN_MS);
      await sidecar.startSidecar();
      faultEnded = Date.now();
    })();

    await paced({ clients: USERS, everyMs: 0, steps: TASKS_PER_USER, until: Date.now() + LOAD_BOUND_MS }, async (u, t) => {
      const api = users[u]!;
      const failing = plan.get(u * TASKS_PER_USER + t);
      const title = `u${u} t${t}`;
      const created = await api.create(recurringTask(failing ? failingTitle(title, failing.slot, failing.failures) : title));
      answers.push(created);
      if (!created.task) return;
      answers.push(await api.update(created.task.id, { priority: "high" }));
      answers.push(await api.update(created.task.id, { description: `step ${t}` }));
      const completed = await api.complete(created.task.id);
      answers.push(completed);
      if (completed.task) series.push(completed.task.seriesId);
      completions++;
    });
    await sidecarOutage;

    const figures = await settle(fault, { completedSeries: series, timeoutMs: RECOVERY_BOUND_MS, since: faultEnded });
    // Commit order of each user's completions (one request at a time per user: seq order is commit order) …
    // (held back: committed while completeTask's sidecar was down, so published by someone else, later)
    const committed = await db.query<{ id: string; user_id: string; held_back: boolean }>(
      `SELECT id::text, partition_key AS user_id, created_at >= to_timestamp($1 / 1000.0) AND created_at < to_timestamp($2 / 1000.0) AS held_back
       FROM outbox_events WHERE cloud_event->>'type' = 'task.completed' ORDER BY seq`,
      [faultStarted, faultEnded],
    );
    // … against the order onTaskCompleted consumed them in (first attempt that got through).
    const consumed = await consumption(db);
    const seen = new Set<string>();
    const firstConsumed = consumed.filter((row) => !seen.has(row.eventId) && seen.add(row.eventId));
    // Per user: the completions consumed before one committed earlier than them.
    const overtaking = new Map(
      users.map(({ userId }) => {
        const position = new Map(committed.filter((row) => row.user_id === userId).map((row, index) => [row.id, index]));
        const got = firstConsumed.filter((row) => row.userId === userId).map((row) => position.get(row.eventId) ?? -1);
        const overtook = got.filter((index, at) => got.slice(at + 1).some((later) => later < index)).length;
        return [userId, got.length === position.size ? overtook : Number.POSITIVE_INFINITY];
      }),
    );
    const outOfOrderUsers = users.filter(({ userId }) => overtaking.get(userId) !== 0);
    const overtook = [...overtaking.values()].reduce((sum, n) => sum + n, 0);
    const heldBack = committed.filter((row) => row.held_back).length;
    const attempts = await slotAttempts(db, plan.size);
    const failuresSeen = [...plan.values()].filter(({ slot, failures }) => attempts[slot]! > failures).length;
    const notHealthy = answers.filter((answer) => answer.status >= 300 || answer.status === 0);

    recordRow({
      scenario: "1 ordered per user",
      ...figures,
      exited: stack.crashes().length,
      pending: figures.pending,
      notes: `${USERS} users, ${series.length} completions, ${heldBack} held back by the sidecar outage; ${failuresSeen}/${plan.size} injected failures retried; out of order: ${outOfOrderUsers.length} users, ${overtook} completions consumed before an older one; HTTP ${tally(answers)}`,
    });

    expect(notHealthy, tally(answers)).toEqual([]);
    expect(series).toHaveLength(USERS * TASKS_PER_USER);
    expect(figures.lost).toBe(0);
    expect(figures.duplicated).toBe(0);
    expect(figures.dlq).toBe(0);
    expect(stack.crashes()).toEqual([]);
    expect(heldBack, "completions committed while their writer's sidecar was down").toBeGreaterThan(0);
    expect(failuresSeen, "injected failures that were retried to success").toBe(plan.size);
    expect(outOfOrderUsers.map((u) => u.userId)).toEqual([]);
  });
});
