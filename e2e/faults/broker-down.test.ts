/**
 * 3. Broker down. Eight clients each create a recurring task every 100 ms
 * (and complete every fourth one) while Kafka is killed with SIGKILL and kept
 * down for 25 s, then started again on the same port and data. Every request
 * must still answer 201/200 (the outbox holds the events), and once the
 * broker is back every event must reach Kafka, within a bound, none twice.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { settle } from "./checks.js";
import { paced, recurringTask, tally, user, type Answer } from "./clients.js";
import { useFaultStack } from "./fault-stack.js";
import { recordRow } from "./results.js";

const CLIENTS = 8;
const EVERY_MS = 100;
const BEFORE_MS = 8_000;
const DOWN_MS = 25_000;
const AFTER_MS = 8_000;
/** Kafka's restart, the sidecars' reconnection, their circuit breakers' 30 s open state, the relay's catch-up. */
const RECOVERY_BOUND_MS = 180_000;

describe("3. broker down", () => {
  const faultStack = useFaultStack("3-broker-down");

  it(`Kafka SIGKILLed for ${DOWN_MS / 1000} s under load: every request answers, every event arrives after, none twice`, async () => {
    const fault = faultStack();
    const { stack } = fault;
    const users = await Promise.all(
      Array.from({ length: CLIENTS }, async (_, u) => user(stack.gatewayUrl, `broker-${u}`, await fault.mintToken(`broker-${u}`))),
    );
    const answers: Answer[] = [];
    const duringOutage: Answer[] = [];
    const series: string[] = [];
    let down = false;
    let faultEnded = 0;
    const stopAt = Date.now() + BEFORE_MS + DOWN_MS + AFTER_MS + 60_000;
    const outage = (async () => {
      await sleep(BEFORE_MS);
      await stack.killKafka();
      down = true;
      await sleep(DOWN_MS);
      await stack.restartKafka();
      down = false;
      faultEnded = Date.now();
    })();
    const last = new Array<string | undefined>(CLIENTS);
    const enough = () => faultEnded > 0 && Date.now() > faultEnded + AFTER_MS;
    await paced({ clients: CLIENTS, everyMs: EVERY_MS, steps: 10_000, until: stopAt, stop: enough }, async (u, step) => {
      const api = users[u]!;
      const answer = step % 4 === 3 && last[u] ? await api.complete(last[u]!) : await api.create(recurringTask(`broker u${u} s${step}`));
      (down ? duringOutage : answers).push(answer);
      if (answer.task?.completed) series.push(answer.task.seriesId);
      else if (answer.task) last[u] = answer.task.id;
    });
    await outage;

    const all = [...answers, ...duringOutage];
    const figures = await settle(fault, { completedSeries: series, timeoutMs: RECOVERY_BOUND_MS, since: faultEnded });
    recordRow({
      scenario: "3 broker down",
      ...figures,
      exited: stack.crashes().length,
      pending: figures.pending,
      notes: `Kafka down ${DOWN_MS / 1000} s; HTTP during the outage ${tally(duringOutage)}, overall ${tally(all)}; same id on Kafka again: ${figures.republished}`,
    });

    expect(duringOutage.length, "requests answered while Kafka was down").toBeGreaterThan(100);
    expect(
      all.filter((answer) => answer.status >= 300 || answer.status === 0),
      tally(all),
    ).toEqual([]);
    expect(figures.recoveryMs, "every event on Kafka within the bound").toBeDefined();
    expect(figures.lost).toBe(0);
    expect(figures.duplicated).toBe(0);
    expect(figures.dlq).toBe(0);
    expect(stack.crashes()).toEqual([]);
  });
});
