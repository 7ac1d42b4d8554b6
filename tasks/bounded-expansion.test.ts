import rrule from "rrule";
import { describe, expect, it } from "vitest";
import { acceptedAdversarialRules, ANCHORS } from "./adversarial-rules.js";
import { EXPANSION_BUDGET, expandAfter } from "./bounded-expansion.js";

const { RRule } = rrule;
const expand = (rule: string, from: string | Date) => expandAfter({ ...RRule.parseString(rule), count: null }, new Date(from));

describe("expandAfter", () => {
  it("finds the next occurrence of an ordinary rule with little work", () => {
    const { result, work } = expand("FREQ=WEEKLY;BYDAY=MO,WE", "2025-06-02T09:00:00Z");
    expect(result).toEqual(new Date("2025-06-04T09:00:00Z"));
    expect(work).toBeLessThan(EXPANSION_BUDGET / 100);
  });

  it("says `ended` when UNTIL is reached", () => {
    expect(expand("FREQ=DAILY;UNTIL=20250603T000000Z", "2025-06-03T09:00:00Z").result).toBe("ended");
  });

  it.each(["YEARLY", "MONTHLY", "WEEKLY", "DAILY", "HOURLY"])(
    "stops a FREQ=%s rule whose parts never agree at the budget (`beyond-horizon`) instead of searching to the year 9999",
    (freq) => {
      // Unbounded, rrule spent seconds to tens of seconds of CPU on each of these.
      expect(expand(`FREQ=${freq};BYMONTH=2;BYMONTHDAY=30`, "2025-01-30T09:00:00Z")).toEqual({ result: "beyond-horizon", work: EXPANSION_BUDGET });
    },
  );

  it("refuses an HOURLY rule whose INTERVAL never reaches its BYHOUR without expanding it (rrule loops forever inside one step)", () => {
    // From 08:00 every 2 hours reaches only even hours.
    expect(expand("FREQ=HOURLY;INTERVAL=2;BYHOUR=1,3", "2025-01-30T08:00:00Z")).toEqual({ result: "beyond-horizon", work: 0 });
    // From 09:00 it reaches every odd hour: 11, 13 … 23, then 01 the next day.
    expect(expand("FREQ=HOURLY;INTERVAL=2;BYHOUR=1,3", "2025-01-30T09:00:00Z").result).toEqual(new Date("2025-01-31T01:00:00Z"));
  });

  it.each([
    ["YEARLY", "2024-03-01"],
    ["MONTHLY", "2024-03-01"],
    ["WEEKLY", "2024-03-01"],
    ["DAILY", "2025-03-01"],
    ["HOURLY", "2026-03-01"],
  ])("reaches a FREQ=%s rule that recurs once in four years from %s: the horizon is years, not months", (freq, from) => {
    expect(expand(`FREQ=${freq};BYMONTH=2;BYMONTHDAY=29;BYHOUR=9`, `${from}T09:00:00Z`).result).toEqual(new Date("2028-02-29T09:00:00Z"));
  });

  it("stays within the budget for every rule of the generated adversarial set the grammar accepts", () => {
    // The time this budget costs is measured by bench/recurrence-expansion.ts.
    const rules = acceptedAdversarialRules();
    expect(rules.length).toBeGreaterThan(200);
    const outcomes = { found: 0, ended: 0, "beyond-horizon": 0 };
    rules.forEach((rule, i) => {
      const { result, work } = expand(rule, ANCHORS[i % ANCHORS.length]!);
      expect(work, rule).toBeLessThanOrEqual(EXPANSION_BUDGET);
      outcomes[result instanceof Date ? "found" : result]++;
    });
    // The set really is adversarial: most of it exhausts the budget.
    expect(outcomes["beyond-horizon"]).toBeGreaterThan(rules.length / 2);
  });
});
