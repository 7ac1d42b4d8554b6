/**
 * W3C Trace Context (https://www.w3.org/TR/trace-context/) as taskfn carries it:
 * from an HTTP request's headers or an event's `traceparent`/`tracestate`
 * attributes (the CloudEvents distributed-tracing extension), through the
 * outbox, to every event the work emits.
 */
import { randomBytes } from "node:crypto";

export interface TraceContext {
  /** `00-<trace id>-<span id>-<flags>` */
  traceparent: string;
  tracestate?: string;
}

export interface ParsedTraceparent {
  traceId: string;
  spanId: string;
  /** Bit 0: the caller sampled (records) this trace. */
  sampled: boolean;
}

const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;
const ALL_ZEROS = /^0+$/;
const MAX_TRACESTATE_LENGTH = 512;

/** Undefined for anything that is not a valid traceparent (the spec's rules: version ff and all-zero ids are invalid). */
export function parseTraceparent(value: unknown): ParsedTraceparent | undefined {
  if (typeof value !== "string") return undefined;
  const match = TRACEPARENT.exec(value);
  if (!match) return undefined;
  const [, version, traceId, spanId, flags, rest] = match as unknown as [string, string, string, string, string, string | undefined];
  if (version === "ff" || (version === "00" && rest !== undefined) || ALL_ZEROS.test(traceId) || ALL_ZEROS.test(spanId)) return undefined;
  return { traceId, spanId, sampled: (parseInt(flags, 16) & 1) === 1 };
}

/** The incoming context, if it is one: a tracestate only travels with a valid traceparent, and only if it is of sane size. */
export function readTraceContext(traceparent: unknown, tracestate: unknown): TraceContext | undefined {
  if (!parseTraceparent(traceparent)) return undefined;
  const state = typeof tracestate === "string" && tracestate !== "" && tracestate.length <= MAX_TRACESTATE_LENGTH ? tracestate : undefined;
  return state === undefined ? { traceparent: traceparent as string } : { traceparent: traceparent as string, tracestate: state };
}

export function formatTraceparent({ traceId, spanId, sampled }: ParsedTraceparent): string {
  return `00-${traceId}-${spanId}-${sampled ? "01" : "00"}`;
}

// Ids come from a pool of random bytes refilled a few kilobytes at a time: one
// randomBytes call per id would be a system call on every request and event.
// Filled on first use, never at load: a startup snapshot would otherwise give
// every process it starts the same ids.
const POOL_BYTES = 4096;
let pool = Buffer.alloc(0);
let offset = POOL_BYTES;

export function randomId(bytes: 8 | 16): string {
  if (offset + bytes > POOL_BYTES) {
    pool = randomBytes(POOL_BYTES);
    offset = 0;
  }
  const id = pool.toString("hex", offset, offset + bytes);
  offset += bytes;
  return ALL_ZEROS.test(id) ? randomId(bytes) : id;
}
