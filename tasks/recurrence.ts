/**
 * Recurrence rules are RFC 5545 RRULE strings (e.g. `FREQ=WEEKLY;BYDAY=MO,WE`),
 * parsed and expanded by the `rrule` library. A series is anchored on the dueAt
 * of each instance and rules are evaluated in the task's time zone: a daily task
 * due at 09:00 in Europe/Berlin stays at 09:00 there across daylight-saving
 * changes (07:00Z in summer, 08:00Z in winter). Instants are stored in UTC.
 */
import rrule from "rrule";
import { expandAfter, type RuleOptions as Options } from "./bounded-expansion.js";
import { fromFloating, toFloating } from "./time-zone.js";

const { RRule } = rrule;

const TOO_FREQUENT = new Set([RRule.SECONDLY, RRule.MINUTELY]);

export class InvalidRecurrenceError extends Error {
  override readonly name = "InvalidRecurrenceError";
}

const WEEKDAY = "(?:SU|MO|TU|WE|TH|FR|SA)";

/** A comma-separated list of integers whose absolute values lie in [min, max]; `signed` allows a leading + or -. */
function integers(min: number, max: number, signed: boolean): (value: string) => boolean {
  const item = signed ? /^[+-]?\d{1,6}$/ : /^\d{1,6}$/;
  return (value) => value.split(",").every((v) => item.test(v) && Math.abs(Number(v)) >= min && Math.abs(Number(v)) <= max);
}

/** A DATE or UTC DATE-TIME that exists on the calendar (rrule would roll 20300231 over to March 3). */
function isUntil(value: string): boolean {
  const match = /^(\d{4})(\d{2})(\d{2})(?:T(\d{2})(\d{2})(\d{2})Z?)?$/.exec(value);
  if (!match) return false;
  const [year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0] = match.slice(1).map((part) => Number(part ?? 0));
  // Date.UTC rolls out-of-range parts over: the date exists only if it reads back as given.
  const digits = new Date(Date.UTC(year, month - 1, day, hour, minute, second)).toISOString().replace(/\D/g, "").slice(0, 14);
  return (
    digits ===
    match
      .slice(1)
      .map((part) => part ?? "00")
      .join("")
  );
}

/**
 * The RFC 5545 `recur` grammar, part by part. The rrule library accepts malformed
 * values (`INTERVAL=abc`, `BYDAY=XX`) and then loops forever or throws when the
 * rule is expanded, so every value is checked here, before a rule is stored.
 */
const RULE_PARTS: Record<string, { valid: (value: string) => boolean; expected: string }> = {
  FREQ: { valid: (v) => /^(?:SECONDLY|MINUTELY|HOURLY|DAILY|WEEKLY|MONTHLY|YEARLY)$/.test(v), expected: "one of HOURLY, DAILY, WEEKLY, MONTHLY, YEARLY" },
  UNTIL: { valid: isUntil, expected: "a date like 20301231 or 20301231T235959Z" },
  COUNT: { valid: integers(1, 999_999, false), expected: "a whole number of at least 1" },
  INTERVAL: { valid: integers(1, 999_999, false), expected: "a whole number of at least 1" },
  BYSECOND: { valid: integers(0, 60, false), expected: "a list of seconds from 0 to 60" },
  BYMINUTE: { valid: integers(0, 59, false), expected: "a list of minutes from 0 to 59" },
  BYHOUR: { valid: integers(0, 23, false), expected: "a list of hours from 0 to 23" },
  BYDAY: {
    valid: (v) => v.split(",").every((day) => new RegExp(`^(?:[+-]?(?:[1-9]|[1-4]\\d|5[0-3]))?${WEEKDAY}$`).test(day)),
    expected: "a list of weekdays like MO,WE or 1MO,-1FR",
  },
  BYMONTHDAY: { valid: integers(1, 31, true), expected: "a list of days from 1 to 31 or -31 to -1" },
  BYYEARDAY: { valid: integers(1, 366, true), expected: "a list of days from 1 to 366 or -366 to -1" },
  BYWEEKNO: { valid: integers(1, 53, true), expected: "a list of weeks from 1 to 53 or -53 to -1" },
  BYMONTH: { valid: integers(1, 12, false), expected: "a list of months from 1 to 12" },
  BYSETPOS: { valid: integers(1, 366, true), expected: "a list of positions from 1 to 366 or -366 to -1" },
  WKST: { valid: (v) => new RegExp(`^${WEEKDAY}$`).test(v), expected: "a weekday like MO" },
};

const MAX_LIST = 31;
const MAX_TIMES_OF_DAY = 100;

/** How many values the part `name` of `body` lists (1 when it is absent). */
function listLength(body: string, name: string): number {
  const part = body.split(";").find((p) => p.toUpperCase().startsWith(`${name}=`));
  return part ? part.split(",").length : 1;
}

/** Checks `rule` against the grammar and returns it in the form rrule parses reliably (upper case, no `RRULE:`). */
function checkGrammar(rule: string): string {
  const body = rule.trim().replace(/^RRULE:/i, "");
  if (body === "") throw new InvalidRecurrenceError("FREQ is required");
  const seen = new Set<string>();
  for (const part of body.split(";")) {
    const [given = "", value, ...rest] = part.split("=");
    const name = given.toUpperCase();
    const spec = RULE_PARTS[name];
    if (!spec) throw new InvalidRecurrenceError(given ? `unknown property ${given}` : "empty property (check the semicolons)");
    if (seen.has(name)) throw new InvalidRecurrenceError(`${name} is given more than once`);
    seen.add(name);
    if (value === undefined || rest.length > 0 || !spec.valid(value.toUpperCase())) {
      throw new InvalidRecurrenceError(`${name} must be ${spec.expected} (got "${value ?? ""}")`);
    }
    // rrule scans these lists for every candidate day: keep them short.
    const listed = value.split(",").length;
    if (listed > MAX_LIST) throw new InvalidRecurrenceError(`${name} lists ${listed} values; at most ${MAX_LIST} are allowed`);
  }
  if (!seen.has("FREQ")) throw new InvalidRecurrenceError("FREQ is required");
  if (seen.has("COUNT") && seen.has("UNTIL")) throw new InvalidRecurrenceError("give COUNT or UNTIL, not both");
  // rrule builds and walks every time of day of every candidate day: keep that list short.
  const timesOfDay = ["BYHOUR", "BYMINUTE", "BYSECOND"].reduce((product, name) => product * listLength(body, name), 1);
  if (timesOfDay > MAX_TIMES_OF_DAY) {
    throw new InvalidRecurrenceError(`BYHOUR, BYMINUTE and BYSECOND together give ${timesOfDay} times of day; at most ${MAX_TIMES_OF_DAY} are allowed`);
  }
  return body.toUpperCase();
}

/** Parses and checks a rule; throws InvalidRecurrenceError with a reason a person can act on. */
export function parseRecurrence(rule: string): Options {
  if (/[\r\n]/.test(rule) || /DTSTART/i.test(rule)) {
    throw new InvalidRecurrenceError("give a single RRULE without DTSTART; the series starts at the task's dueAt");
  }
  let options: Options;
  try {
    options = RRule.parseString(checkGrammar(rule));
  } catch (error) {
    if (error instanceof InvalidRecurrenceError) throw error;
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
  /** IANA zone the rule is expanded in. */
  timeZone: string;
}

/** A UTC UNTIL (`…Z`) as the floating date it is in `zone`; a DATE or local DATE-TIME already is one. */
function floatingUntil(rule: string, until: Date | null | undefined, zone: string): Date | null {
  if (!until) return null;
  return /UNTIL=\d{8}T\d{6}Z/i.test(rule) ? toFloating(until, zone) : until;
}

/**
 * The dueAt of the next instance: the rule's first occurrence strictly after the
 * completed one, or null once COUNT or UNTIL is exhausted, or when none lies
 * within the horizon the expansion budget reaches (bounded-expansion.ts): rules
 * that never occur again are refused when a task is created or changed
 * (recurrenceHorizonProblem), so this ends only a series that grew sparse.
 */
export function nextOccurrence({ rule, dueAt, occurrence, timeZone }: Occurrence): Date | null {
  const options = parseRecurrence(rule);
  if (options.count && occurrence >= options.count) return null;
  // COUNT is enforced through `occurrence` above: the rule is re-anchored on every instance.
  // The rule runs on wall-clock time in the task's zone (time-zone.ts), and the result is turned back into an instant.
  const until = floatingUntil(rule, options.until, timeZone);
  const { result } = expandAfter({ ...options, count: null, until }, toFloating(dueAt, timeZone));
  return result instanceof Date ? fromFloating(result, timeZone) : null;
}

/** Why a valid `rule` cannot recur from `dueAt`, or undefined when it can. */
export function recurrenceHorizonProblem(rule: string, dueAt: Date, timeZone: string): string | undefined {
  const { result } = expandAfter({ ...parseRecurrence(rule), count: null }, toFloating(dueAt, timeZone));
  if (result !== "beyond-horizon") return undefined;
  return "the rule has no occurrence within a few years after dueAt (do its parts contradict each other?)";
}
