/**
 * One scenario's own taskfn on the real runtime: real-stack/stack.ts with its own
 * embedded PostgreSQL (so the scenario may stop it) and Kafka (so it may kill
 * it), relayOutbox ticking every second, and everything any process prints in
 * `.data/faults/<scenario>.log`.
 */
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { mintDevToken } from "../../toolkit/dev-auth.js";
import { freePort } from "../../toolkit/net.js";
import { startStack, type Stack } from "../../real-stack/stack.js";
import { createLogBook, type LogBook } from "../../toolkit/log-book.js";
import { createProbe, type Probe } from "./probe.js";
import { FAULTS_DIR } from "./results.js";
import { afterAll, beforeAll } from "vitest";

export interface FaultStack {
  stack: Stack;
  db: Probe;
  logs: LogBook;
  mintToken(userId: string): Promise<string>;
  stop(): Promise<void>;
}

export async function startFaultStack(scenario: string, replicas: Record<string, number> = {}): Promise<FaultStack> {
  const dataDir = await mkdtemp(join(tmpdir(), "taskfn-faults-"));
  const logs = createLogBook(join(FAULTS_DIR, `${scenario}.log`));
  const secret = randomBytes(32).toString("base64url");
  const cleanUp = async () => {
    await logs.close();
    await rm(dataDir, { recursive: true, force: true });
  };
  let stack: Stack;
  try {
    stack = await startStack({
      dataDir,
      database: { port: await freePort() },
      gatewayPort: 0,
      replicas,
      schedules: { "outbox-cron": "@every 1s" },
      jwtSecret: secret,
      env: { LOG_LEVEL: "info" },
      daprLogLevel: "info",
      print: logs.add,
    });
  } catch (error) {
    await cleanUp();
    throw new Error(`${(error as Error).message}\n(every process's output: ${logs.file})`, { cause: error });
  }
  return {
    stack,
    db: createProbe(stack.databaseUrl),
    logs,
    mintToken: (userId) => mintDevToken(userId, secret),
    async stop() {
      try {
        await stack.stop();
      } finally {
        await cleanUp();
      }
    },
  };
}

/** The scenario's stack for the tests of the current describe block: started before them, stopped after. */
export function useFaultStack(scenario: string, replicas: Record<string, number> = {}): () => FaultStack {
  let fault: FaultStack | undefined;
  beforeAll(async () => {
    fault = await startFaultStack(scenario, replicas);
  });
  afterAll(async () => {
    await fault?.stop();
  });
  return () => {
    if (!fault) throw new Error(`the ${scenario} stack did not start`);
    return fault;
  };
}
