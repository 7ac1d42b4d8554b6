/**
 * Users of the public API under a fault: every answer is kept with what it
 * was (status, problem+json, Retry-After) so a scenario can say exactly which
 * requests failed how. Every loop is bounded in count and in time.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { TaskJson } from "../../tasks/task-schema.js";

export interface Answer {
  /** HTTP status, or 0 when no answer came (connection refused, reset, timeout). */
  status: number;
  problem: boolean;
  retryAfter: string | null;
  task?: TaskJson;
  error?: string;
}

/** Long enough for a publish that waits on a dead broker (Dapr's timeouts and retries) to end. */
const REQUEST_TIMEOUT_MS = 45_000;

export async function send(url: string, init: RequestInit): Promise<Answer> {
  try {
    const response = await fetch(url, { ...init, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
    const text = await response.text();
    const problem = (response.headers.get("content-type") ?? "").startsWith("application/problem+json");
    const answer: Answer = { status: response.status, problem, retryAfter: response.headers.get("retry-after") };
    if (response.ok && text) answer.task = TaskJson.parse(JSON.parse(text));
    return answer;
  } catch (error) {
    return { status: 0, problem: false, retryAfter: null, error: (error as Error).cause ? String((error as Error).cause) : (error as Error).message };
  }
}

export interface User {
  userId: string;
  create(body: Record<string, unknown>): Promise<Answer>;
  update(taskId: string, body: Record<string, unknown>): Promise<Answer>;
  complete(taskId: string): Promise<Answer>;
}

export function user(baseUrl: string, userId: string, token: string): User {
  const headers = { authorization: `Bearer ${token}`, "content-type": "application/json" };
  const tasks = `${baseUrl}/api/${encodeURIComponent(userId)}/tasks`;
  return {
    userId,
    create: (body) => send(tasks, { method: "POST", headers, body: JSON.stringify(body) }),
    update: (taskId, body) => send(`${tasks}/${taskId}`, { method: "PATCH", headers, body: JSON.stringify(body) }),
    complete: (taskId) => send(`${tasks}/${taskId}/complete`, { method: "POST", headers }),
  };
}

/** A recurring task due tomorrow: completing it makes onTaskCompleted create occurrence 2. */
export function recurringTask(title: string): Record<string, unknown> {
  return { title, dueAt: new Date(Date.now() + 86_400_000).toISOString(), recurrence: "FREQ=DAILY" };
}

/** "201×3000, 503×12": how many answers had each status. */
export function tally(answers: readonly Answer[]): string {
  const counts = new Map<number, number>();
  for (const answer of answers) counts.set(answer.status, (counts.get(answer.status) ?? 0) + 1);
  return [...counts]
    .sort(([a], [b]) => a - b)
    .map(([status, n]) => `${status === 0 ? "no answer" : status}×${n}`)
    .join(", ");
}

export interface PaceOptions {
  clients: number;
  /** Each client starts its next step this long after the previous one started (or at once, if it took longer). */
  everyMs: number;
  /** Steps per client, at most. */
  steps: number;
  /** No step starts after this time, nor once `stop()` says so. */
  until: number;
  stop?: () => boolean;
}

/** Runs `clients` loops side by side, each calling `step(client, index)` at its pace until a bound is reached. */
export async function paced(
  { clients, everyMs, steps, until, stop = () => false }: PaceOptions,
  step: (client: number, index: number) => Promise<void>,
): Promise<void> {
  await Promise.all(
    Array.from({ length: clients }, async (_, client) => {
      for (let index = 0; index < steps && Date.now() < until && !stop(); index++) {
        const started = Date.now();
        await step(client, index);
        const wait = everyMs - (Date.now() - started);
        if (wait > 0) await sleep(wait);
      }
    }),
  );
}

/** Waits until `condition()` holds, checking every 20 ms; throws after `boundMs`. */
export async function waitUntil(what: string, condition: () => boolean, boundMs: number): Promise<void> {
  const deadline = Date.now() + boundMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`${what}: not reached in ${boundMs / 1000} s`);
    await sleep(20);
  }
}
