import { pino, type Logger } from "pino";

export type { Logger } from "pino";

/**
 * JSON lines on stdout, tagged with the function name. Asynchronous writes keep
 * logging off the request path; serve.ts flushes on shutdown.
 */
export function createLogger(functionName: string, level = process.env.LOG_LEVEL ?? "info"): Logger {
  return pino({ level, base: { fn: functionName }, timestamp: pino.stdTimeFunctions.isoTime }, pino.destination({ dest: 1, sync: false }));
}
