import { describe, expect, it } from "vitest";
import { parseGoDuration } from "./duration.js";

describe("parseGoDuration", () => {
  it.each([
    ["500ms", 500],
    ["5s", 5_000],
    ["1m30s", 90_000],
    ["1.5h", 5_400_000],
    ["2h45m", 9_900_000],
    ["0", 0],
    ["250us", 0.25],
  ])("%s is %d ms", (text, ms) => {
    expect(parseGoDuration(text)).toBe(ms);
  });

  it.each(["", "5", "5 s", "s", "1d", "-5s", "5s "])("rejects %j", (text) => {
    expect(() => parseGoDuration(text)).toThrow(/not a Go duration/);
  });
});
