/**
 * Text a request may carry but the task store may not hold: PostgreSQL's `text`
 * cannot store NUL, and a lone UTF-16 surrogate has no UTF-8 form (it would be
 * stored as U+FFFD, not as what was sent). Checked once on every input, strings
 * and object keys alike, before any schema sees it.
 */
import type { FieldError } from "./problem.js";

// NUL, a high surrogate not followed by a low one, or a low one not preceded by a high one.
const UNSTORABLE = /\0|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export const UNSTORABLE_TEXT_MESSAGE = "Contains a NUL character or a lone UTF-16 surrogate, which cannot be stored.";

export function isStorableText(text: string): boolean {
  return !UNSTORABLE.test(text);
}

// Any NUL or surrogate at all: only such a string needs the full check above.
const SUSPECT = /[\0\uD800-\uDFFF]/;

/** No string or key anywhere in the value holds a NUL or a surrogate: the usual input, told without building field paths. */
function holdsNoSuspectText(value: unknown): boolean {
  const pending: unknown[] = [value];
  while (pending.length > 0) {
    const item = pending.pop();
    if (typeof item === "string") {
      if (SUSPECT.test(item)) return false;
    } else if (Array.isArray(item)) {
      for (const element of item) pending.push(element);
    } else if (item !== null && typeof item === "object") {
      for (const key of Object.keys(item)) {
        if (SUSPECT.test(key)) return false;
        pending.push((item as Record<string, unknown>)[key]);
      }
    }
  }
  return true;
}

const UNSTORABLE_KEY_MESSAGE = "Has a field name with a NUL character or a lone UTF-16 surrogate, which cannot be stored.";

/**
 * Every string (or key) in a parsed JSON value that cannot be stored, by dotted
 * path under `base`. Iterative: 64 KiB of `[` nests deeper than the call stack goes.
 */
export function unstorableTextErrors(value: unknown, base: string): FieldError[] {
  // Building every field's path cost more than parsing the event's JSON; bench/ part 1 (no DB) measures the delivery.
  if (holdsNoSuspectText(value)) return [];
  const errors: FieldError[] = [];
  const pending: [unknown, string][] = [[value, base]];
  for (let next = pending.pop(); next; next = pending.pop()) {
    const [item, path] = next;
    if (typeof item === "string") {
      if (!isStorableText(item)) errors.push({ field: path, message: UNSTORABLE_TEXT_MESSAGE });
    } else if (item !== null && typeof item === "object") {
      for (const [key, element] of Object.entries(item)) {
        if (isStorableText(key)) pending.push([element, `${path}.${key}`]);
        else errors.push({ field: path, message: UNSTORABLE_KEY_MESSAGE });
      }
    }
  }
  return errors;
}
