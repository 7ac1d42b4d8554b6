import { describe, expect, it } from "vitest";
import { canonicalTimeZone, fromFloating, toFloating } from "./time-zone.js";

/** The instant of a local wall-clock time, e.g. at("2025-03-30T02:30", "Europe/Berlin"). */
const at = (wall: string, zone: string) => fromFloating(new Date(`${wall}:00.000Z`), zone).toISOString();
const wallOf = (instant: string, zone: string) => toFloating(new Date(instant), zone).toISOString().slice(0, 16);

describe("canonicalTimeZone", () => {
  it("accepts IANA zones in their canonical spelling, and UTC", () => {
    expect(["UTC", "Europe/Berlin", "america/new_york", "Australia/Sydney", "America/Argentina/Buenos_Aires", "Etc/GMT+5"].map(canonicalTimeZone)).toEqual([
      "UTC",
      "Europe/Berlin",
      "America/New_York",
      "Australia/Sydney",
      "America/Argentina/Buenos_Aires",
      "Etc/GMT+5",
    ]);
  });

  it.each(["Mars/Olympus_Mons", "Europe/Berlinn", "", "+01:00", "CET ", "Europe/../Berlin", "x".repeat(65), "Europe/Berlin\n"])("refuses %j", (zone) => {
    expect(canonicalTimeZone(zone)).toBeUndefined();
  });
});

describe("floating dates", () => {
  it.each([
    ["Europe/Berlin", "2025-01-15T09:00", "2025-01-15T08:00:00.000Z"],
    ["Europe/Berlin", "2025-07-15T09:00", "2025-07-15T07:00:00.000Z"],
    ["America/New_York", "2025-01-15T09:00", "2025-01-15T14:00:00.000Z"],
    ["Australia/Sydney", "2025-01-15T09:00", "2025-01-14T22:00:00.000Z"],
    ["Australia/Sydney", "2025-07-15T09:00", "2025-07-14T23:00:00.000Z"],
    ["UTC", "2025-07-15T09:00", "2025-07-15T09:00:00.000Z"],
  ])("%s %s is %s, and back", (zone, wall, instant) => {
    expect(at(wall, zone)).toBe(instant);
    expect(wallOf(instant, zone)).toBe(wall);
  });

  it("reads a time a spring-forward change skips with the offset before it (RFC 5545): one hour later on the clock", () => {
    expect(at("2025-03-30T02:30", "Europe/Berlin")).toBe("2025-03-30T01:30:00.000Z"); // 03:30 CEST
    expect(at("2025-03-09T02:30", "America/New_York")).toBe("2025-03-09T07:30:00.000Z"); // 03:30 EDT
    expect(at("2025-10-05T02:30", "Australia/Sydney")).toBe("2025-10-04T16:30:00.000Z"); // 03:30 AEDT
  });

  it("reads a time a fall-back change repeats as its first occurrence", () => {
    expect(at("2025-10-26T02:30", "Europe/Berlin")).toBe("2025-10-26T00:30:00.000Z"); // CEST, not CET
    expect(at("2025-11-02T01:30", "America/New_York")).toBe("2025-11-02T05:30:00.000Z"); // EDT, not EST
    expect(at("2025-04-06T02:30", "Australia/Sydney")).toBe("2025-04-05T15:30:00.000Z"); // AEDT, not AEST
  });
});
