/**
 * Recurrence rules built to make an RRULE expansion search for long: BY-parts that
 * contradict each other or agree only rarely, BYSETPOS past the end of a period,
 * huge INTERVALs, HOURLY steps that never reach their BYHOUR, week numbers that
 * few years have, long lists — each under every FREQ the grammar accepts, anchored
 * on awkward dueAts. Test data, not used by any function: here so that both the
 * recurrence tests and bench/recurrence-expansion.ts can reach it.
 */
import { parseRecurrence } from "./recurrence.js";

const FREQS = ["HOURLY", "DAILY", "WEEKLY", "MONTHLY", "YEARLY"];
const INTERVALS = ["", ";INTERVAL=2", ";INTERVAL=7", ";INTERVAL=999999"];
const list = (count: number, from = 0) => Array.from({ length: count }, (_, i) => i + from).join(",");

/** BY-parts that never agree, or agree once in years. */
export const CONTRADICTIONS = [
  "BYMONTH=2;BYMONTHDAY=30",
  "BYMONTH=4,6,9,11;BYMONTHDAY=31",
  "BYMONTH=2;BYMONTHDAY=29;BYDAY=MO",
  "BYYEARDAY=366;BYMONTH=1",
  "BYYEARDAY=-366;BYDAY=SU",
  "BYWEEKNO=53;BYMONTH=6",
  "BYWEEKNO=1;BYMONTH=7",
  "BYMONTHDAY=31;BYDAY=1MO",
  "BYSETPOS=366;BYDAY=MO",
  `BYSETPOS=${list(31, 300)};BYMONTH=2;BYMONTHDAY=30`,
  `BYYEARDAY=${list(31, 300)};BYMONTH=1`,
  `BYMONTHDAY=${list(31, -31)};BYMONTH=2;BYDAY=1MO,2MO,3MO,4MO,5MO;BYSETPOS=${list(31, 100)}`,
  "BYDAY=53FR;BYMONTH=1",
  "BYHOUR=23;BYMONTHDAY=-1;BYMONTH=2;BYDAY=TU;BYWEEKNO=9",
  "BYHOUR=1,3,5",
];

export const ANCHORS = ["2025-12-31T23:00:00Z", "2024-02-29T00:00:00Z", "2025-01-01T00:00:00Z", "2030-06-15T12:00:00Z"].map((iso) => new Date(iso));

/** Every FREQ × INTERVAL × contradiction. */
export function adversarialRules(): string[] {
  return FREQS.flatMap((freq) => INTERVALS.flatMap((interval) => CONTRADICTIONS.map((parts) => `FREQ=${freq}${interval};${parts}`)));
}

/** The rules of the set that the grammar accepts: what a user could store. */
export function acceptedAdversarialRules(): string[] {
  return adversarialRules().filter((rule) => {
    try {
      parseRecurrence(rule);
      return true;
    } catch {
      return false;
    }
  });
}
