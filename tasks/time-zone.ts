/**
 * Wall-clock time in an IANA time zone, for expanding recurrence rules in the
 * task's zone (recurrence.ts). A rule is expanded on "floating" dates: Dates
 * whose UTC fields hold the local wall-clock time; this module converts between
 * those and real instants.
 *
 * Not rrule's own `tzid`: rrule 2.8 converts through the zone of the machine it
 * runs on (its results differ between TZ=UTC and TZ=Asia/Tokyo) and puts a time
 * that a spring-forward change skips an hour too early. Here the machine's zone
 * plays no part, and local times resolve as RFC 5545 (section 3.3.5) says: a
 * skipped time is read with the offset before the change (02:30 on the day
 * Europe/Berlin skips 02:00–03:00 is 03:30 CEST), a repeated time is its first
 * occurrence.
 */

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(zone: string): Intl.DateTimeFormat {
  let format = formatters.get(zone);
  if (!format) {
    format = new Intl.DateTimeFormat("en-US", {
      timeZone: zone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    });
    formatters.set(zone, format);
  }
  return format;
}

const IANA_NAME = /^(?:UTC|[A-Za-z][A-Za-z0-9_+-]*(?:\/[A-Za-z0-9_+-]+){0,2})$/;

/**
 * The zone in its proper case (`europe/berlin` → `Europe/Berlin`), or undefined when
 * it is no IANA zone. A link stays as given: ICU would turn the current
 * `America/Argentina/Buenos_Aires` into its legacy `America/Buenos_Aires`.
 */
export function canonicalTimeZone(name: string): string | undefined {
  if (name.length > 64 || !IANA_NAME.test(name)) return undefined;
  try {
    const resolved = formatter(name).resolvedOptions().timeZone;
    return resolved.toLowerCase() === name.toLowerCase() ? resolved : name;
  } catch {
    return undefined;
  }
}

/** The wall-clock time of `instant` in `zone`, as a floating date (milliseconds kept). */
export function toFloating(instant: Date, zone: string): Date {
  if (zone === "UTC") return instant;
  const parts = Object.fromEntries(
    formatter(zone)
      .formatToParts(instant)
      .map((p) => [p.type, Number(p.value)]),
  );
  return new Date(Date.UTC(parts.year!, parts.month! - 1, parts.day!, parts.hour!, parts.minute!, parts.second!, instant.getUTCMilliseconds()));
}

/** How far `zone`'s wall clock is ahead of UTC at `instant`, in ms. */
function offsetAt(instant: number, zone: string): number {
  return toFloating(new Date(instant), zone).getTime() - instant;
}

const DAY_MS = 24 * 3_600_000;

/**
 * The instant a floating date stands for in `zone`. Real zones change their
 * offset at most once within a day, so the offsets a day before and a day after
 * are the only candidates.
 */
export function fromFloating(floating: Date, zone: string): Date {
  if (zone === "UTC") return floating;
  const wall = floating.getTime();
  const before = offsetAt(wall - DAY_MS, zone);
  const after = offsetAt(wall + DAY_MS, zone);
  const candidates = [wall - before, wall - after].filter((instant) => toFloating(new Date(instant), zone).getTime() === wall);
  // None: the time was skipped, read it with the offset before the change. Two: it repeats, take the first.
  return new Date(candidates.length === 0 ? wall - before : Math.min(...candidates));
}
