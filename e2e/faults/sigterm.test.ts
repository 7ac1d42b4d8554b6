/**
 * 6. SIGTERM under load, as Kubernetes stops a pod. First a consumer: one of
 * two onTaskCompleted instances gets SIGTERM, app and daprd at once, while
 * completions flow; the deliveries it had started finish, the rest go to the
 * other instance. Then an HTTP function: createTask gets SIGTERM while 16
 * clients call it directly; every request it had started must be answered
 * (201), and no task may exist whose request got no answer. Both must exit
 * with code 0 within the shutdown deadline.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { SHUTDOWN_DEADLINE_SECONDS } from "../../runtime/lifecycle.js";
import { settle } from "./checks.js";
import { paced, recurringTask, tally, user, waitUntil, type Answer } from "./clients.js";
import { useFaultStack } from "./fault-stack.js";
import { recordRow } from "./results.js";

const USERS = 20;
const TASKS_PER_USER = 30;
const SIGTERM_AFTER = 200;
const HTTP_CLIENTS = 16;
const HTTP_LOAD_BEFORE_MS = 4_000;
/** The runtime's drain deadline, plus what a busy machine adds to process exit. */
const DRAIN_BOUND_MS = SHUTDOWN_DEADLINE_SECONDS * 1000 + 2_000;
const RECOVERY_BOUND_MS = 120_000;

describe("6. SIGTERM under load", () => {
  const faultStack = useFaultStack("6-sigterm", { "on-task-completed": 2 });

  it("a consumer and an HTTP function drain what they started and exit 0 within the deadline", async () => {
    const fault = faultStack();
    const { stack, db } = fault;
    const users = await Promise.all(
      Array.from({ length: USERS }, async (_, u) => user(stack.gatewayUrl, `sigterm-${u}`, await fault.mintToken(`sigterm-${u}`))),
    );
    const answers: Answer[] = [];
    const created: string[][] = users.map(() => []);
    await paced({ clients: USERS, everyMs: 0, steps: TASKS_PER_USER, until: Date.now() + 120_000 }, async (u, t) => {
      const answer = await users[u]!.create(recurringTask(`sigterm u${u} t${t}`));
      answers.push(answer);
      if (answer.task) created[u]!.push(answer.task.id);
    });

    // The consumer: SIGTERM to app and sidecar together, mid-stream.
    const series: string[] = [];
    const consumer = stack.instances("on-task-completed")[1]!;
    const consumerStop = (async () => {
      await waitUntil(`${SIGTERM_AFTER} completions`, () => series.length >= SIGTERM_AFTER, 120_000);
      const signalled = Date.now();
      const [exit] = await Promise.all([consumer.signalApp("SIGTERM"), consumer.stopSidecar()]);
      return { ...exit, ms: Date.now() - signalled };
    })();
    await paced({ clients: USERS, everyMs: 0, steps: TASKS_PER_USER, until: Date.now() + 120_000 }, async (u, t) => {
      const answer = await users[u]!.complete(created[u]![t]!);
      answers.push(answer);
      if (answer.task) series.push(answer.task.seriesId);
    });
    const consumerExit = await consumerStop;

    // The HTTP function: SIGTERM while 16 clients call it straight (no gateway in between).
    const createTask = stack.instances("create-task")[0]!;
    const direct = await Promise.all(
      Array.from({ length: HTTP_CLIENTS }, async (_, c) =>
        user(`http://127.0.0.1:${createTask.port}`, `sigterm-http-${c}`, await fault.mintToken(`sigterm-http-${c}`)),
      ),
    );
    const calls: { title: string; answer: Answer }[] = [];
    let httpExit: { code: number | null; ms: number } | undefined;
    const httpStop = (async () => {
      await sleep(HTTP_LOAD_BEFORE_MS);
      const signalled = Date.now();
      const exit = await createTask.signalApp("SIGTERM");
      httpExit = { code: exit.code, ms: Date.now() - signalled };
    })();
    await paced({ clients: HTTP_CLIENTS, everyMs: 20, steps: 100_000, until: Date.now() + 60_000, stop: () => httpExit !== undefined }, async (c, step) => {
      const title = `sigterm-http c${c} s${step}`;
      calls.push({ title, answer: await direct[c]!.create(recurringTask(title)) });
    });
    await httpStop;
    const unanswered = calls.filter(({ answer }) => answer.status === 0).map(({ title }) => title);
    const startedButUnanswered = await db.count("SELECT 1 FROM tasks WHERE title = ANY($1)", [unanswered]);
    const failed = calls.filter(({ answer }) => answer.status >= 500);

    const figures = await settle(fault, { completedSeries: series, timeoutMs: RECOVERY_BOUND_MS, since: Date.now() });
    const kept = await db.count("SELECT 1 FROM tasks WHERE title LIKE 'sigterm-http %'");
    const answered = calls.filter(({ answer }) => answer.status === 201).length;
    recordRow({
      scenario: "6 SIGTERM under load",
      ...figures,
      lost: figures.lost + Math.max(0, answered - kept),
      exited: stack.crashes().length,
      pending: figures.pending,
      recoveryMs: undefined,
      notes:
        `consumer drained in ${(consumerExit.ms / 1000).toFixed(1)} s (exit ${consumerExit.code}), createTask in ${((httpExit?.ms ?? 0) / 1000).toFixed(1)} s (exit ${httpExit?.code}); ` +
        `direct calls ${tally(calls.map(({ answer }) => answer))}, unanswered but done: ${startedButUnanswered}`,
    });

    expect(
      answers.filter((answer) => answer.status >= 300 || answer.status === 0),
      tally(answers),
    ).toEqual([]);
    expect(consumerExit.code).toBe(0);
    expect(consumerExit.ms).toBeLessThan(DRAIN_BOUND_MS);
    expect(httpExit?.code).toBe(0);
    expect(httpExit!.ms).toBeLessThan(DRAIN_BOUND_MS);
    expect(failed.map(({ answer }) => answer.status)).toEqual([]);
    expect(startedButUnanswered, "tasks created by requests that got no answer").toBe(0);
    expect(kept).toBe(answered);
    expect(figures.lost).toBe(0);
    expect(figures.duplicated).toBe(0);
    expect(figures.dlq).toBe(0);
    expect(stack.crashes()).toEqual([]);
  });
});
