/**
 * `npm run dlq` as an operator runs it against this stack (KAFKA_BROKERS,
 * DATABASE_URL), and what its listing shows: dead letters with their reason,
 * and parked outbox events with their last error.
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import type { Stack } from "../../real-stack/stack.js";

export interface Listed {
  /** A dead letter: its CloudEvent id and the reason line shown under it. */
  deadLetters: { id: string; reason: string }[];
  /** A parked outbox event: its id and the last error shown under it. */
  parked: { id: string; error: string }[];
}

const ID_LINE = /^([0-9a-f-]{36})\s/;

/** Each entry starts with a line that begins with its id; the indented lines under it describe it. */
function parseListing(output: string): Listed {
  const listed: Listed = { deadLetters: [], parked: [] };
  let section: "deadLetters" | "parked" = "deadLetters";
  let current: { id: string; lines: string[] } | undefined;
  const flush = () => {
    if (!current) return;
    const detail = (label: string) =>
      current!.lines
        .find((line) => line.startsWith(label))
        ?.slice(label.length)
        .trim() ?? "";
    if (section === "deadLetters") listed.deadLetters.push({ id: current.id, reason: detail("reason:") });
    else listed.parked.push({ id: current.id, error: detail("last error:") });
    current = undefined;
  };
  for (const line of output.split("\n")) {
    const id = ID_LINE.exec(line)?.[1];
    if (/^\d+ parked outbox events/.test(line)) {
      flush();
      section = "parked";
    } else if (id) {
      flush();
      current = { id, lines: [] };
    } else if (current && line.startsWith(" ")) current.lines.push(line.trim());
  }
  flush();
  return listed;
}

export async function runDlqTool(stack: Stack, args: readonly string[]): Promise<Listed> {
  const { stdout } = await promisify(execFile)("npm", ["run", "-s", "dlq", "--", ...args], {
    env: { ...process.env, KAFKA_BROKERS: stack.brokers, DATABASE_URL: stack.databaseUrl },
    timeout: 60_000,
  });
  return parseListing(stdout);
}
