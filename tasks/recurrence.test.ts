import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InvalidRecurrenceError, nextOccurrence, parseRecurrence, recurrenceHorizonProblem } from "./recurrence.js";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** The dueAt after `dueAt` (an ISO string) under `rule`, as an ISO string or null. */
function next(rule: string, dueAt: string, occurrence = 1, timeZone = "UTC"): string | null {
  return nextOccurrence({ rule, dueAt: new Date(dueAt), occurrence, timeZone })?.toISOString() ?? null;
}

/** The first `count` dueAts of a series that starts at `dueAt`, completing one instance after another. */
function series(rule: string, dueAt: string, count: number): string[] {
  const dates = [dueAt];
  while (dates.length < count) {
    const following = next(rule, dates[dates.length - 1]!, dates.length);
    if (!following) break;
    dates.push(following);
  }
  return dates;
}

describe("nextOccurrence", () => {
  describe("daily and weekly rules", () => {
    it("moves a daily task to the same time the next day", () => {
      expect(next("FREQ=DAILY", "2025-06-02T09:00:00.000Z")).toBe("2025-06-03T09:00:00.000Z");
    });

    it("is strictly after the completed instance, never the same instant", () => {
      expect(next("FREQ=HOURLY", "2025-06-02T09:00:00.000Z")).toBe("2025-06-02T10:00:00.000Z");
    });

    it("walks a weekly BYDAY rule through the listed weekdays in order, then wraps to next week", () => {
      // 2025-06-02 is a Monday.
      expect(series("FREQ=WEEKLY;BYDAY=MO,WE,FR", "2025-06-02T09:00:00.000Z", 5)).toEqual([
        "2025-06-02T09:00:00.000Z",
        "2025-06-04T09:00:00.000Z",
        "2025-06-06T09:00:00.000Z",
        "2025-06-09T09:00:00.000Z",
        "2025-06-11T09:00:00.000Z",
      ]);
    });

    it("goes to the next listed weekday when the task was due on a day the rule does not list", () => {
      // Tuesday → Wednesday
      expect(next("FREQ=WEEKLY;BYDAY=MO,WE", "2025-06-03T09:00:00.000Z")).toBe("2025-06-04T09:00:00.000Z");
    });

    it("accepts lower-case rules and an RRULE: prefix", () => {
      expect(next("freq=weekly;byday=fr", "2025-06-02T09:00:00.000Z")).toBe("2025-06-06T09:00:00.000Z");
      expect(next("RRULE:FREQ=DAILY", "2025-06-02T09:00:00.000Z")).toBe("2025-06-03T09:00:00.000Z");
    });
  });

  describe("INTERVAL", () => {
    it.each([
      ["FREQ=DAILY;INTERVAL=3", "2025-06-05T09:00:00.000Z"],
      ["FREQ=WEEKLY;INTERVAL=2", "2025-06-16T09:00:00.000Z"],
      ["FREQ=HOURLY;INTERVAL=6", "2025-06-02T15:00:00.000Z"],
      ["FREQ=MONTHLY;INTERVAL=3", "2025-09-02T09:00:00.000Z"],
      ["FREQ=YEARLY;INTERVAL=2", "2027-06-02T09:00:00.000Z"],
    ])("%s skips to the next interval: %s", (rule, expected) => {
      expect(next(rule, "2025-06-02T09:00:00.000Z")).toBe(expected);
    });
  });

  describe("month ends", () => {
    it("skips months without the 31st for FREQ=MONTHLY from Jan 31 (RFC 5545: Jan 31 → Mar 31)", () => {
      expect(series("FREQ=MONTHLY", "2025-01-31T09:00:00.000Z", 4)).toEqual([
        "2025-01-31T09:00:00.000Z",
        "2025-03-31T09:00:00.000Z",
        "2025-05-31T09:00:00.000Z",
        "2025-07-31T09:00:00.000Z",
      ]);
    });

    it("lands on the last day of every month with BYMONTHDAY=-1, Feb 29 in a leap year", () => {
      expect(series("FREQ=MONTHLY;BYMONTHDAY=-1", "2024-01-31T09:00:00.000Z", 4)).toEqual([
        "2024-01-31T09:00:00.000Z",
        "2024-02-29T09:00:00.000Z",
        "2024-03-31T09:00:00.000Z",
        "2024-04-30T09:00:00.000Z",
      ]);
    });

    it("lands on Feb 28 with BYMONTHDAY=-1 in a common year", () => {
      expect(next("FREQ=MONTHLY;BYMONTHDAY=-1", "2025-01-31T09:00:00.000Z")).toBe("2025-02-28T09:00:00.000Z");
    });

    it("repeats a yearly Feb 29 task only in leap years", () => {
      expect(next("FREQ=YEARLY", "2024-02-29T09:00:00.000Z")).toBe("2028-02-29T09:00:00.000Z");
    });

    it.each(["FREQ=YEARLY", "FREQ=DAILY", "FREQ=HOURLY"])(
      "ends the series (null) for a %s rule that never occurs again, within the expansion budget instead of searching to the year 9999",
      (freq) => {
        // Unbounded, the DAILY and HOURLY ones each cost rrule tens of seconds of CPU here.
        expect(next(`${freq};BYMONTH=2;BYMONTHDAY=30`, "2025-01-30T09:00:00.000Z")).toBeNull();
      },
    );
  });

  // Rules are evaluated in UTC, whatever the zone of the machine: run these under zones that switch.
  describe.each(["Europe/Berlin", "America/New_York"])("across daylight-saving switches with TZ=%s", (zone) => {
    const originalTz = process.env.TZ;
    beforeAll(() => {
      process.env.TZ = zone;
    });
    afterAll(() => {
      if (originalTz === undefined) delete process.env.TZ;
      else process.env.TZ = originalTz;
    });

    it("the machine really is in a zone with DST (so the test can fail)", () => {
      const winter = new Date("2025-01-15T12:00:00Z").getTimezoneOffset();
      const summer = new Date("2025-07-15T12:00:00Z").getTimezoneOffset();
      expect(winter).not.toBe(summer);
    });

    it("keeps a daily 07:00Z task at 07:00Z, exactly 24 h apart, through all of 2025's switches", () => {
      // Europe: Mar 30 and Oct 26; US: Mar 9 and Nov 2.
      const dates = series("FREQ=DAILY", "2025-03-01T07:00:00.000Z", 280).map((d) => new Date(d));
      expect(dates).toHaveLength(280);
      expect(dates.at(-1)!.toISOString()).toBe("2025-12-05T07:00:00.000Z");
      for (let i = 1; i < dates.length; i++) {
        expect(dates[i]!.getTime() - dates[i - 1]!.getTime()).toBe(DAY);
        expect(dates[i]!.getUTCHours()).toBe(7);
      }
    });

    it("keeps a weekly task at the same UTC time over the Europe/Berlin spring switch", () => {
      expect(next("FREQ=WEEKLY", "2025-03-27T07:00:00.000Z")).toBe("2025-04-03T07:00:00.000Z");
    });
  });

  describe("COUNT and UNTIL", () => {
    it("gives the next instance while occurrence < COUNT", () => {
      expect(next("FREQ=DAILY;COUNT=3", "2025-06-02T09:00:00.000Z", 1)).toBe("2025-06-03T09:00:00.000Z");
      expect(next("FREQ=DAILY;COUNT=3", "2025-06-03T09:00:00.000Z", 2)).toBe("2025-06-04T09:00:00.000Z");
    });

    it("returns null once the completed instance is the COUNT-th (or later)", () => {
      expect(next("FREQ=DAILY;COUNT=3", "2025-06-04T09:00:00.000Z", 3)).toBeNull();
      expect(next("FREQ=DAILY;COUNT=3", "2025-06-05T09:00:00.000Z", 4)).toBeNull();
      expect(next("FREQ=WEEKLY;COUNT=1", "2025-06-02T09:00:00.000Z", 1)).toBeNull();
    });

    it("includes an occurrence that falls exactly on UNTIL", () => {
      expect(next("FREQ=DAILY;UNTIL=20250603T090000Z", "2025-06-02T09:00:00.000Z")).toBe("2025-06-03T09:00:00.000Z");
    });

    it("returns null when the next occurrence would be after UNTIL", () => {
      expect(next("FREQ=DAILY;UNTIL=20250603T090000Z", "2025-06-03T09:00:00.000Z")).toBeNull();
      expect(next("FREQ=WEEKLY;UNTIL=20250605T000000Z", "2025-06-02T09:00:00.000Z")).toBeNull();
    });
  });
});

describe("parseRecurrence", () => {
  it("accepts the RFC 5545 rules a task list needs", () => {
    for (const rule of [
      "FREQ=DAILY",
      "FREQ=WEEKLY;BYDAY=MO,WE,FR",
      "FREQ=MONTHLY;BYDAY=-1FR",
      "FREQ=MONTHLY;BYMONTHDAY=-1",
      "FREQ=YEARLY;BYMONTH=3;BYMONTHDAY=15",
      "FREQ=HOURLY;INTERVAL=8",
      "FREQ=DAILY;COUNT=10",
      "FREQ=WEEKLY;UNTIL=20301231T235959Z;WKST=MO",
      "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1",
    ]) {
      expect(() => parseRecurrence(rule), rule).not.toThrow();
    }
  });

  it.each([
    ["a rule without FREQ", "BYDAY=MO", /FREQ is required/],
    ["an empty rule", "", /FREQ is required/],
    ["an unknown property", "FREQ=DAILY;COLOR=RED", /unknown property COLOR/],
    ["a DTSTART (the series starts at dueAt)", "DTSTART:20250101T090000Z\nRRULE:FREQ=DAILY", /without DTSTART/],
    ["a DTSTART on the same line", "FREQ=DAILY;DTSTART=20250101T090000Z", /without DTSTART/],
    ["FREQ=SECONDLY", "FREQ=SECONDLY", /FREQ must be HOURLY or coarser/],
    ["FREQ=MINUTELY", "FREQ=MINUTELY", /FREQ must be HOURLY or coarser/],
    ["an unknown FREQ", "FREQ=FORTNIGHTLY", /FREQ must be one of HOURLY, DAILY, WEEKLY, MONTHLY, YEARLY \(got "FORTNIGHTLY"\)/],
    ["INTERVAL=0", "FREQ=DAILY;INTERVAL=0", /INTERVAL must be a whole number of at least 1 \(got "0"\)/],
    ["a negative INTERVAL", "FREQ=DAILY;INTERVAL=-2", /INTERVAL must be a whole number of at least 1/],
    ["a non-numeric INTERVAL", "FREQ=DAILY;INTERVAL=abc", /INTERVAL must be a whole number of at least 1 \(got "abc"\)/],
    ["COUNT=0", "FREQ=DAILY;COUNT=0", /COUNT must be a whole number of at least 1/],
    ["an unknown weekday", "FREQ=WEEKLY;BYDAY=XX", /BYDAY must be a list of weekdays/],
    ["a month out of range", "FREQ=YEARLY;BYMONTH=13", /BYMONTH must be a list of months from 1 to 12/],
    ["a day of month out of range", "FREQ=MONTHLY;BYMONTHDAY=32", /BYMONTHDAY must be a list of days/],
    ["an hour out of range", "FREQ=DAILY;BYHOUR=24", /BYHOUR must be a list of hours from 0 to 23/],
    ["a malformed UNTIL", "FREQ=DAILY;UNTIL=tomorrow", /UNTIL must be a date like 20301231/],
    ["an UNTIL that is not on the calendar", "FREQ=DAILY;UNTIL=20300231", /UNTIL must be a date like 20301231/],
    ["an UNTIL with an impossible time", "FREQ=DAILY;UNTIL=20301231T246000Z", /UNTIL must be a date like 20301231/],
    ["both COUNT and UNTIL", "FREQ=DAILY;COUNT=3;UNTIL=20301231T000000Z", /COUNT or UNTIL, not both/],
    ["a property given twice", "FREQ=DAILY;FREQ=WEEKLY", /FREQ is given more than once/],
    ["a stray semicolon", "FREQ=DAILY;;BYHOUR=9", /empty property/],
    ["a property without a value", "FREQ=DAILY;BYHOUR", /BYHOUR must be/],
    ["TZID (rules are evaluated in UTC)", "FREQ=DAILY;TZID=Europe/Berlin", /unknown property TZID/],
  ])("rejects %s with a readable reason", (_what, rule, message) => {
    expect(() => parseRecurrence(rule)).toThrow(InvalidRecurrenceError);
    expect(() => parseRecurrence(rule)).toThrow(message);
  });

  it("refuses more than 100 times of day (BYHOUR × BYMINUTE × BYSECOND): rrule walks each of them on every candidate day", () => {
    const all = (n: number) => Array.from({ length: n }, (_, i) => i).join(",");
    expect(() => parseRecurrence("FREQ=DAILY;BYHOUR=8,12,18;BYMINUTE=0,15,30,45")).not.toThrow();
    expect(() => parseRecurrence(`FREQ=YEARLY;BYHOUR=${all(24)};BYMINUTE=0,10,20,30,40;BYSECOND=0,30`)).toThrow(/240 times of day; at most 100/);
  });

  it("refuses a list of more than 31 values in any part", () => {
    expect(() => parseRecurrence("FREQ=MONTHLY;BYMONTHDAY=1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31")).not.toThrow();
    const setpos = Array.from({ length: 32 }, (_, i) => i + 1).join(",");
    expect(() => parseRecurrence(`FREQ=YEARLY;BYDAY=MO;BYSETPOS=${setpos}`)).toThrow(/BYSETPOS lists 32 values; at most 31/);
  });

  it("refuses malformed values up front, which would otherwise make expanding the rule loop or crash", () => {
    // rrule itself accepts these and then never returns (INTERVAL=abc) or throws a TypeError (BYDAY=XX).
    for (const rule of ["FREQ=DAILY;INTERVAL=abc", "FREQ=WEEKLY;BYDAY=XX", "FREQ=DAILY;BYHOUR=x"]) {
      expect(() => nextOccurrence({ rule, dueAt: new Date("2025-06-02T09:00:00Z"), occurrence: 1, timeZone: "UTC" })).toThrow(InvalidRecurrenceError);
    }
  });
});

describe("recurrenceHorizonProblem", () => {
  it("accepts a rule that recurs from dueAt, and one that ends by UNTIL", () => {
    expect(recurrenceHorizonProblem("FREQ=WEEKLY;BYDAY=MO", new Date("2025-06-02T09:00:00Z"), "UTC")).toBeUndefined();
    expect(recurrenceHorizonProblem("FREQ=DAILY;UNTIL=20250601", new Date("2025-06-02T09:00:00Z"), "UTC")).toBeUndefined();
  });

  it.each([
    ["parts that contradict each other", "FREQ=DAILY;BYMONTH=4;BYMONTHDAY=31", "2025-06-02T09:00:00Z"],
    ["a week 53 in June", "FREQ=YEARLY;BYWEEKNO=53;BYMONTH=6", "2025-06-02T09:00:00Z"],
    ["an HOURLY step that never reaches its BYHOUR", "FREQ=HOURLY;INTERVAL=6;BYHOUR=10", "2025-06-02T09:00:00Z"],
  ])("names %s as having no occurrence within the horizon", (_what, rule, dueAt) => {
    expect(recurrenceHorizonProblem(rule, new Date(dueAt), "UTC")).toMatch(/no occurrence/);
  });
});
