/**
 * Go's time.ParseDuration, which Dapr uses for every duration in its resource
 * files (`5s`, `1m30s`, `500ms`, `1.5h`) and for cron's `@every <duration>`.
 */
const UNIT_MS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
};

const PART = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)/gy;

/** Milliseconds in a Go duration string; throws on anything Go would reject. */
export function parseGoDuration(text: string): number {
  if (text === "0") return 0;
  PART.lastIndex = 0;
  let total = 0;
  let end = 0;
  for (let match = PART.exec(text); match; match = PART.exec(text)) {
    total += Number(match[1]) * UNIT_MS[match[2]!]!;
    end = PART.lastIndex;
  }
  if (end === 0 || end !== text.length) throw new Error(`"${text}" is not a Go duration (e.g. 500ms, 5s, 1m30s)`);
  return total;
}
