import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { nextOccurrence } from "./recurrence.js";
import { toFloating } from "./time-zone.js";

const HOUR = 3_600_000;

/** `count` dueAts of a series in `zone` from `dueAt`, completing one instance after another. */
function series(rule: string, dueAt: string, zone: string, count: number): Date[] {
  const dates = [new Date(dueAt)];
  while (dates.length < count) {
    const following = nextOccurrence({ rule, dueAt: dates.at(-1)!, occurrence: dates.length, timeZone: zone });
    if (!following) break;
    dates.push(following);
  }
  return dates;
}

const wall = (instant: Date, zone: string) => toFloating(instant, zone).toISOString().slice(0, 16);
const gapsInHours = (dates: Date[]) => dates.slice(1).map((d, i) => (d.getTime() - dates[i]!.getTime()) / HOUR);

// The machine's own zone must play no part: run under one far from all of them.
const originalTz = process.env.TZ;
beforeAll(() => {
  process.env.TZ = "Asia/Kathmandu";
});
afterAll(() => {
  if (originalTz === undefined) delete process.env.TZ;
  else process.env.TZ = originalTz;
});

describe("a daily 09:00 task stays at 09:00 local time across both daylight-saving changes", () => {
  it.each([
    // zone, a day before the spring-forward change at 09:00 local, a day before the fall-back change
    ["Europe/Berlin", "2025-03-29T08:00:00Z", "2025-10-25T07:00:00Z"],
    ["America/New_York", "2025-03-08T14:00:00Z", "2025-11-01T13:00:00Z"],
    // Southern hemisphere: clocks go back in April and forward in October.
    ["Australia/Sydney", "2025-10-03T23:00:00Z", "2025-04-04T22:00:00Z"],
  ])("%s", (zone, beforeSpring, beforeFall) => {
    const spring = series("FREQ=DAILY", beforeSpring, zone, 4);
    expect(spring.map((d) => wall(d, zone).slice(11))).toEqual(["09:00", "09:00", "09:00", "09:00"]);
    expect(gapsInHours(spring)).toEqual([23, 24, 24]);
    const fall = series("FREQ=DAILY", beforeFall, zone, 4);
    expect(fall.map((d) => wall(d, zone).slice(11))).toEqual(["09:00", "09:00", "09:00", "09:00"]);
    expect(gapsInHours(fall)).toEqual([25, 24, 24]);
  });

  it("stores instants: Europe/Berlin 09:00 is 08:00Z in winter and 07:00Z in summer", () => {
    expect(series("FREQ=DAILY", "2025-03-29T08:00:00Z", "Europe/Berlin", 3).map((d) => d.toISOString())).toEqual([
      "2025-03-29T08:00:00.000Z",
      "2025-03-30T07:00:00.000Z",
      "2025-03-31T07:00:00.000Z",
    ]);
  });

  it("in UTC stays at the same UTC time, exactly 24 h apart", () => {
    expect(gapsInHours(series("FREQ=DAILY", "2025-03-29T09:00:00Z", "UTC", 4))).toEqual([24, 24, 24]);
  });
});

describe("rules read in the task's zone", () => {
  it("BYDAY means the local weekday: Monday 09:00 in Sydney is Sunday in UTC", () => {
    // 2025-06-02 is a Monday; 09:00 AEST is 23:00Z on Sunday.
    const dates = series("FREQ=WEEKLY;BYDAY=MO,TH", "2025-06-01T23:00:00Z", "Australia/Sydney", 4);
    expect(dates.map((d) => wall(d, "Australia/Sydney"))).toEqual(["2025-06-02T09:00", "2025-06-05T09:00", "2025-06-09T09:00", "2025-06-12T09:00"]);
  });

  it("a monthly last-day task follows the local month end", () => {
    const dates = series("FREQ=MONTHLY;BYMONTHDAY=-1", "2025-01-31T08:00:00Z", "America/New_York", 3);
    expect(dates.map((d) => wall(d, "America/New_York"))).toEqual(["2025-01-31T03:00", "2025-02-28T03:00", "2025-03-31T03:00"]);
  });

  it("a UTC UNTIL is an instant: the occurrence exactly on it is the last", () => {
    const dates = series("FREQ=DAILY;UNTIL=20250331T070000Z", "2025-03-29T08:00:00Z", "Europe/Berlin", 10);
    expect(dates.map((d) => d.toISOString())).toEqual(["2025-03-29T08:00:00.000Z", "2025-03-30T07:00:00.000Z", "2025-03-31T07:00:00.000Z"]);
  });

  it("a time the spring-forward change skips lands after it that day (RFC 5545), the day before and after unchanged", () => {
    const dates = series("FREQ=DAILY", "2025-03-29T01:30:00Z", "Europe/Berlin", 2); // 02:30 CET
    expect(dates.map((d) => wall(d, "Europe/Berlin"))).toEqual(["2025-03-29T02:30", "2025-03-30T03:30"]);
  });

  it("a time the fall-back change repeats is taken once, at its first occurrence", () => {
    const dates = series("FREQ=DAILY", "2025-11-01T05:30:00Z", "America/New_York", 3); // 01:30 EDT
    expect(dates.map((d) => d.toISOString())).toEqual(["2025-11-01T05:30:00.000Z", "2025-11-02T05:30:00.000Z", "2025-11-03T06:30:00.000Z"]);
  });
});
