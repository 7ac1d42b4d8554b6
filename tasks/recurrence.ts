/**
 * Recurrence rules are RFC 5545 RRULE strings (e.g. `FREQ=WEEKLY;BYDAY=MO,WE`),
 * parsed and expanded by the `rrule` library. A series is anchored on the dueAt
 * of each instance and rules are evaluated in UTC: a daily task due at 09:00Z
 * stays at 09:00Z across daylight-saving changes.
 */
import rrule from "rrule";

const { RRule } = rrule;
type Options = ReturnType<typeof RRule.parseString>;

const TOO_FREQUENT = new Set([RRule.SECONDLY, RRule.MINUTELY]);

export class InvalidRecurrenceError extends Error {
  override readonly name = "InvalidRecurrenceError";
}

/** Parses and checks a rule; throws InvalidRecurrenceError with a reason a person can act on. */
export function parseRecurrence(rule: string): Options {
  if (/[\r\n]/.test(rule) || /DTSTART/i.test(rule)) {
    throw new InvalidRecurrenceError("give a single RRULE without DTSTART; the series starts at the task's dueAt");
  }
  let options: Options;
  try {
    options = RRule.parseString(rule);
  } catch (error) {
    throw new InvalidRecurrenceError(`not a valid RRULE (${(error as Error).message})`);
  }
  if (options.freq === undefined || options.freq === null) throw new InvalidRecurrenceError("FREQ is required");
  if (TOO_FREQUENT.has(options.freq)) throw new InvalidRecurrenceError("FREQ must be HOURLY or coarser");
  if (options.interval !== undefined && options.interval !== null && options.interval < 1) {
    throw new InvalidRecurrenceError("INTERVAL must be at least 1");
  }
  if (options.count !== undefined && options.count !== null && options.count < 1) {
    throw new InvalidRecurrenceError("COUNT must be at least 1");
  }
  return options;
}

export interface Occurrence {
  rule: string;
  /** dueAt of the instance just completed. */
  dueAt: Date;
  /** 1-based position of that instance in its series. */
  occurrence: number;
}

/**
 * The dueAt of the next instance: the rule's first occurrence strictly after the
 * completed one, or null once COUNT or UNTIL is exhausted.
 */
export function nextOccurrence({ rule, dueAt, occurrence }: Occurrence): Date | null {
  const options = parseRecurrence(rule);
  if (options.count && occurrence >= options.count) return null;
  // COUNT is enforced through `occurrence` above: the rule is re-anchored on every instance.
  const next = new RRule({ ...options, count: null, dtstart: dueAt }).after(dueAt, false);
  return next ?? null;
}
