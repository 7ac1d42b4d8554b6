/**
 * Every line a target's processes print: all of it to a file (the place to
 * look when a scenario fails), and the functions' JSON log lines kept for the
 * scenarios that check what was logged.
 */
import { createWriteStream, mkdirSync } from "node:fs";
import { dirname } from "node:path";

/** One JSON log line a process printed, with the instance that printed it. */
export type LogEntry = Record<string, unknown> & { instance: string };

export interface LogBook {
  file: string;
  add(instance: string, line: string): void;
  entries(): readonly LogEntry[];
  close(): Promise<void>;
}

function parseJsonLine(line: string): Record<string, unknown> | undefined {
  if (!line.startsWith("{")) return undefined;
  try {
    const parsed: unknown = JSON.parse(line);
    return parsed && typeof parsed === "object" && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

export function createLogBook(file: string): LogBook {
  mkdirSync(dirname(file), { recursive: true });
  const out = createWriteStream(file);
  const entries: LogEntry[] = [];
  let closed = false;
  return {
    file,
    add(instance, line) {
      // A process whose output outlives its stop (something it started holds
      // the pipe) may print after the book closed; a write then would throw
      // 'write after end' into whichever test runs at that moment.
      if (closed) return;
      out.write(`[${instance}] ${line}\n`);
      const entry = parseJsonLine(line);
      if (entry) entries.push({ ...entry, instance });
    },
    entries: () => [...entries],
    close: () => {
      closed = true;
      return new Promise<void>((resolve) => out.end(resolve));
    },
  };
}
