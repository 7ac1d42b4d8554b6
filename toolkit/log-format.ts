/**
 * How `npm start`, `npm run dev` and `npm run start:dapr` print what their
 * processes log (pino JSON lines): each line behind its source, prettified by
 * pino-pretty (a development dependency: the bundles log JSON and never load
 * it), or the raw JSON untouched with LOG_FORMAT=json (for jq and log tooling).
 */
import { prettyFactory } from "pino-pretty";

export type LogFormat = "pretty" | "json";

/** Formats one line `source` printed. */
export type LineFormatter = (source: string, line: string) => string;

export function createLineFormatter({ format, color, width }: { format: LogFormat; color: boolean; width: number }): LineFormatter {
  if (format === "json") return (_source, line) => line;
  // Lines that are not JSON (a crash's stack on stderr) pass through it unchanged.
  const pretty = prettyFactory({ colorize: color, translateTime: "SYS:HH:MM:ss", ignore: "pid,hostname,fn", singleLine: true });
  const tag = (source: string) => (color ? `\x1b[36m${`[${source}]`.padEnd(width + 2)}\x1b[0m` : `[${source}]`.padEnd(width + 2));
  return (source, line) => `${tag(source)} ${pretty(line).trimEnd()}`;
}
