import { describe, expect, it } from "vitest";
import { isTransientDatabaseError } from "./database.js";

const withCode = (code: string) => Object.assign(new Error(code), { code });

describe("isTransientDatabaseError", () => {
  it.each([
    ["a refused connection", withCode("ECONNREFUSED")],
    ["a reset connection", withCode("ECONNRESET")],
    ["a serialization failure", withCode("40001")],
    ["a deadlock", withCode("40P01")],
    ["too many connections", withCode("53300")],
    ["an admin shutdown", withCode("57P01")],
    ["any connection exception (class 08)", withCode("08006")],
    ["Prisma's 'cannot reach the database'", withCode("P1001")],
    ["Prisma's transaction conflict", withCode("P2034")],
    ["a driver adapter error kind", Object.assign(new Error("x"), { kind: "DatabaseNotReachable" })],
    ["a cause chain ending in one", new Error("outer", { cause: new Error("middle", { cause: withCode("ECONNREFUSED") }) })],
    ["an originalCode (Prisma's wrapping)", Object.assign(new Error("x"), { originalCode: "40001" })],
  ])("is true for %s", (_what, error) => {
    expect(isTransientDatabaseError(error)).toBe(true);
  });

  it.each([
    ["a unique violation", withCode("23505")],
    ["a syntax error", withCode("42601")],
    ["an invalid uuid", withCode("22P02")],
    ["Prisma's record not found", withCode("P2025")],
    ["a plain error", new Error("boom")],
    ["a string", "ECONNREFUSED"],
    ["undefined", undefined],
  ])("is false for %s", (_what, error) => {
    expect(isTransientDatabaseError(error)).toBe(false);
  });
});
