/**
 * rrule's `after()` with a bound on the work it may do. rrule walks period after
 * period (year, month, week, day or hour) until a candidate matches, and stops
 * looking only in the year 9999: a rule whose parts never agree (BYMONTH=2;
 * BYMONTHDAY=30) costs seconds of CPU per expansion, and an HOURLY rule whose
 * INTERVAL never reaches its BYHOUR loops forever. Users submit rules, so every
 * expansion runs under a budget.
 *
 * The budget counts rrule's reads of the rule's options, which it does several
 * times per period and per day of a period (the work it does while searching);
 * the search is aborted when the budget runs out. What the budget costs in time
 * is measured by bench/recurrence-expansion.ts.
 */
import rrule from "rrule";

const { RRule } = rrule;
export type RuleOptions = ReturnType<typeof RRule.parseString>;

/** Option reads one expansion may make: a search of years (at least two for HOURLY rules, more for coarser ones; see the test). */
export const EXPANSION_BUDGET = 25_000;

/** The next occurrence; `ended` when COUNT/UNTIL ran out; `beyond-horizon` when the budget did first. */
export type Expansion = Date | "ended" | "beyond-horizon";

class BudgetExhausted extends Error {}

const HOURS_PER_DAY = 24;
const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));

/**
 * True when an HOURLY rule starting at `from` can never land on one of its BYHOUR
 * hours: stepping by INTERVAL hours only reaches the hours congruent to the start
 * modulo gcd(INTERVAL, 24). rrule would loop forever inside one step.
 */
function hourlyNeverReachesByHour(options: RuleOptions, from: Date): boolean {
  const byhour = typeof options.byhour === "number" ? [options.byhour] : options.byhour;
  if (options.freq !== RRule.HOURLY || !byhour || byhour.length === 0) return false;
  const step = gcd(options.interval ?? 1, HOURS_PER_DAY);
  return !byhour.some((hour) => (hour - from.getUTCHours()) % step === 0);
}

/** The first occurrence strictly after `from` of the rule anchored on `from`, and the work it took. */
export function expandAfter(options: RuleOptions, from: Date): { result: Expansion; work: number } {
  if (hourlyNeverReachesByHour(options, from)) return { result: "beyond-horizon", work: 0 };
  const rule = new RRule({ ...options, dtstart: from }, true);
  let work = 0;
  // rrule reads rule.options throughout its search; counting the reads bounds it.
  rule.options = new Proxy(rule.options, {
    get(target, property, receiver) {
      if (++work > EXPANSION_BUDGET) throw new BudgetExhausted();
      return Reflect.get(target, property, receiver) as unknown;
    },
  });
  try {
    return { result: rule.after(from, false) ?? "ended", work };
  } catch (error) {
    if (error instanceof BudgetExhausted) return { result: "beyond-horizon", work: EXPANSION_BUDGET };
    throw error;
  }
}
