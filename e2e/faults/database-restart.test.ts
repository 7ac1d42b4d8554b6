/**
 * 4. Database restart under load. Eight clients create and complete
 * recurring tasks every 100 ms while PostgreSQL is restarted (fast shutdown,
 * then started again on the same port and data), and later while every
 * backend of the functions is terminated, twice (what a failover looks like
 * to them). No function process may exit; a request the database cannot
 * serve answers 503 problem+json with Retry-After, never 500/502 or no answer;
 * whatever was answered 201/200 is there afterwards, with its events and
 * exactly one next instance per completion.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { settle } from "./checks.js";
import { paced, recurringTask, tally, user, type Answer } from "./clients.js";
import { useFaultStack } from "./fault-stack.js";
import { recordRow } from "./results.js";

const CLIENTS = 8;
const EVERY_MS = 100;
const PHASE_MS = 8_000;
const RECOVERY_BOUND_MS = 120_000;

const TERMINATE_BACKENDS = `
  SELECT count(pg_terminate_backend(pid)) AS n FROM pg_stat_activity
  WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'`;

describe("4. database restart under load", () => {
  const faultStack = useFaultStack("4-database-restart");

  it("PostgreSQL restarted, then every backend terminated twice: no process exits, 503 + Retry-After during the outage, nothing lost or doubled", async () => {
    const fault = faultStack();
    const { stack, db } = fault;
    const users = await Promise.all(
      Array.from({ length: CLIENTS }, async (_, u) => user(stack.gatewayUrl, `restart-${u}`, await fault.mintToken(`restart-${u}`))),
    );
    const answers: Answer[] = [];
    const created = new Set<string>();
    const series: string[] = [];
    let terminated = 0;
    let faultEnded = 0;
    const faults = (async () => {
      await sleep(PHASE_MS);
      await stack.stopPostgres();
      await stack.startPostgres();
      await sleep(PHASE_MS);
      for (let round = 0; round < 2; round++) {
        terminated += Number((await db.query<{ n: string }>(TERMINATE_BACKENDS))[0]!.n);
        await sleep(3_000);
      }
      faultEnded = Date.now();
    })();
    const last = new Array<string | undefined>(CLIENTS);
    const enough = () => faultEnded > 0 && Date.now() > faultEnded + PHASE_MS;
    await paced({ clients: CLIENTS, everyMs: EVERY_MS, steps: 10_000, until: Date.now() + 180_000, stop: enough }, async (u, step) => {
      const api = users[u]!;
      const answer = step % 2 === 1 && last[u] ? await api.complete(last[u]!) : await api.create(recurringTask(`restart u${u} s${step}`));
      answers.push(answer);
      if (answer.task?.completed) series.push(answer.task.seriesId);
      else if (answer.task) {
        created.add(answer.task.id);
        last[u] = answer.task.id;
      }
    });
    await faults;

    const figures = await settle(fault, { completedSeries: series, timeoutMs: RECOVERY_BOUND_MS, since: faultEnded });
    const kept = await db.count("SELECT 1 FROM tasks WHERE id = ANY($1::uuid[])", [[...created]]);
    const unavailable = answers.filter((answer) => answer.status === 503);
    const wrong = answers.filter(
      (answer) => !(answer.status === 200 || answer.status === 201 || (answer.status === 503 && answer.problem && answer.retryAfter)),
    );
    recordRow({
      scenario: "4 database restart",
      ...figures,
      lost: figures.lost + created.size - kept,
      exited: stack.crashes().length,
      pending: figures.pending,
      notes: `restart + ${terminated} backends terminated; HTTP ${tally(answers)}; created and answered 201: ${created.size}, in the database after: ${kept}`,
    });

    expect(stack.crashes()).toEqual([]);
    expect(wrong, tally(answers)).toEqual([]);
    expect(unavailable.length, "requests that met the outage").toBeGreaterThan(0);
    expect(terminated).toBeGreaterThan(0);
    expect(kept).toBe(created.size);
    expect(figures.lost).toBe(0);
    expect(figures.duplicated).toBe(0);
    expect(figures.dlq).toBe(0);
  });
});
