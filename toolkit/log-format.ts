/**
 * How `npm start` prints what its processes log (pino JSON lines): readable by
 * default, `HH:MM:SS LEVEL [create-task] message key=value`, or the raw JSON
 * untouched with LOG_FORMAT=json (for jq and log tooling).
 */
export type LogFormat = "pretty" | "json";

/** Formats one line `source` printed. */
export type LineFormatter = (source: string, line: string) => string;

const LEVELS: Record<number, { label: string; color: number }> = {
  10: { label: "TRACE", color: 90 },
  20: { label: "DEBUG", color: 90 },
  30: { label: "INFO ", color: 32 },
  40: { label: "WARN ", color: 33 },
  50: { label: "ERROR", color: 31 },
  60: { label: "FATAL", color: 35 },
};
const ENVELOPE_FIELDS = new Set(["level", "time", "fn", "msg", "pid", "hostname", "err"]);

interface PinoLine {
  level: number;
  time?: string | number;
  msg?: string;
  err?: { message?: string; stack?: string };
  [field: string]: unknown;
}

function isPinoLine(value: unknown): value is PinoLine {
  return typeof value === "object" && value !== null && typeof (value as { level?: unknown }).level === "number";
}

function formatValue(value: unknown): string {
  return typeof value === "string" && /^[^\s"=]+$/.test(value) ? value : JSON.stringify(value);
}

export function createLineFormatter({ format, color, width }: { format: LogFormat; color: boolean; width: number }): LineFormatter {
  const paint = (code: number, text: string) => (color ? `\x1b[${code}m${text}\x1b[0m` : text);
  return (source, line) => {
    const tag = paint(36, `[${source}]`.padEnd(width + 2));
    if (format === "json") return line;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      return `${tag} ${line}`;
    }
    if (!isPinoLine(parsed)) return `${tag} ${line}`;
    const level = LEVELS[parsed.level] ?? { label: String(parsed.level), color: 0 };
    const time = new Date(parsed.time ?? Date.now()).toTimeString().slice(0, 8);
    const fields = Object.entries(parsed)
      .filter(([key]) => !ENVELOPE_FIELDS.has(key))
      .map(([key, value]) => paint(90, `${key}=${formatValue(value)}`));
    const error = parsed.err
      ? parsed.level >= 50 && parsed.err.stack
        ? `\n${parsed.err.stack.replace(/^/gm, "    ")}`
        : ` ${paint(90, `err=${formatValue(parsed.err.message)}`)}`
      : "";
    return `${paint(90, time)} ${paint(level.color, level.label)} ${tag} ${parsed.msg ?? ""} ${fields.join(" ")}`.trimEnd() + error;
  };
}
