/**
 * What a hostile client sends, as fast-check arbitraries: text with controls,
 * NUL, lone surrogates, invisible characters and huge lengths; numbers at the
 * edges; any JSON; dates inside and outside what PostgreSQL holds; tokens with
 * random claims; headers that lie about the body.
 */
import * as fc from "fast-check";
import { SignJWT } from "jose";
import { TEST_JWT_SECRET } from "../runtime.js";

export const nastyString: fc.Arbitrary<string> = fc.oneof(
  fc.string({ maxLength: 30 }),
  fc.string({ unit: "binary", maxLength: 30 }),
  fc.string({
    unit: fc.constantFrom("\u0000", "\ud800", "\udc00", "\u200b", "\u3164", "\t", "\n", "\u0007", " ", "a", "é", "🌱", "\ufeff", "%"),
    maxLength: 12,
  }),
  fc.constantFrom(
    "",
    " ",
    "\u0000",
    "a\u0000b",
    "\ud800",
    "\u200b",
    "t".repeat(200),
    "t".repeat(201),
    "d".repeat(10_001),
    "x".repeat(70_000),
    "null",
    "0",
    "-1",
    "__proto__",
    "constructor",
  ),
);

export const edgeNumber: fc.Arbitrary<number> = fc.oneof(
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.constantFrom(0, -0, 1, -1, 0.5, 100, 101, 2 ** 31, 2 ** 53, -(2 ** 53), 1e308, Number.MIN_VALUE),
);

/** ISO date-times a client might send: normal, extreme years, impossible days, offsets, junk. */
export const dateString: fc.Arbitrary<string> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.date({ noInvalidDate: true, min: new Date("2000-01-01T00:00:00Z"), max: new Date("2100-01-01T00:00:00Z") }).map((d) => d.toISOString()),
  },
  fc.date({ noInvalidDate: true, min: new Date("1900-01-01T00:00:00Z"), max: new Date("2200-01-01T00:00:00Z") }).map((d) => d.toISOString()),
  fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
  fc.constantFrom(
    "0000-01-01T00:00:00Z",
    "9999-12-31T23:59:59.999Z",
    "2026-02-30T09:00:00Z",
    "2026-12-01T09:00:00+14:00",
    "2026-12-01T09:00:00-23:59",
    "2026-12-01T09:00:00",
    "tomorrow",
    "2026-12-01",
  ),
);

export const anyValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: nastyString },
  edgeNumber,
  fc.boolean(),
  fc.constant(null),
  dateString,
  fc.array(nastyString, { maxLength: 25 }),
  fc.jsonValue({ maxDepth: 2 }),
);

export const VALID_RECURRENCES = ["FREQ=DAILY", "FREQ=WEEKLY;BYDAY=MO,WE", "FREQ=MONTHLY;COUNT=3", "FREQ=YEARLY;UNTIL=20300101T000000Z"];
export const RECURRENCES = [...VALID_RECURRENCES, "FREQ=SECONDLY", "FREQ=DAILY;INTERVAL=0", "RRULE:FREQ=DAILY", "bogus"];

/** A body that is valid, or nearly: a few fields replaced, added or of the wrong kind. */
export const taskBody: fc.Arbitrary<Record<string, unknown>> = fc
  .tuple(
    fc.record(
      {
        title: fc.string({ minLength: 1, maxLength: 40 }).map((s) => `T ${s}`),
        description: fc.option(fc.string({ maxLength: 100 })),
        priority: fc.constantFrom("low", "medium", "high"),
        tags: fc.array(fc.constantFrom("home", "work", " home ", "garden"), { maxLength: 5 }),
        dueAt: fc.option(dateString),
        remindAt: fc.option(dateString),
        recurrence: fc.option(fc.constantFrom(...RECURRENCES), { freq: 2 }),
      },
      { requiredKeys: ["title"] },
    ),
    fc.oneof(
      { weight: 2, arbitrary: fc.constant({}) },
      fc.dictionary(fc.constantFrom("title", "description", "priority", "tags", "dueAt", "remindAt", "recurrence", "completed", "id", "junk"), anyValue, {
        minKeys: 1,
        maxKeys: 3,
      }),
    ),
  )
  .map(([valid, changes]) => ({ ...valid, ...changes }));

/** What goes in the body: JSON text of some value, or raw bytes (maybe not UTF-8). */
export const bodyText: fc.Arbitrary<string | Uint8Array> = fc.oneof(
  { weight: 6, arbitrary: taskBody.map((body) => JSON.stringify(body)) },
  fc.jsonValue({ maxDepth: 4 }).map((value) => JSON.stringify(value)),
  fc.constantFrom(
    "",
    "{",
    "[".repeat(30_000),
    '{"title":"x"}{"title":"y"}',
    `{"title":"x","title":"\\u0000"}`,
    '{"title":"\\ud800"}',
    JSON.stringify(Object.fromEntries(Array.from({ length: 3000 }, (_, i) => [`k${i}`, i]))),
  ),
  fc.uint8Array({ maxLength: 64 }),
);

/** Which Authorization header to send: mostly a good token, else none, a malformed one, or random claims. */
export type TokenSpec = { kind: "good" } | { kind: "fixed"; header: string | undefined } | { kind: "claims"; claims: Record<string, unknown> };

const claimValue = fc.oneof(edgeNumber, nastyString, fc.constantFrom(-3600, 3600, 20, -20, undefined));

export const tokenSpec: fc.Arbitrary<TokenSpec> = fc.oneof(
  { weight: 8, arbitrary: fc.constant({ kind: "good" } as const) },
  fc
    .constantFrom(undefined, "Bearer", "Basic YWxpY2U6eA==", "Bearer a b", `Bearer ${"a".repeat(5000)}`, "bearer not.a.jwt")
    .map((header) => ({ kind: "fixed", header }) as const),
  fc
    .record({ sub: fc.oneof(fc.constant("@user"), nastyString, edgeNumber, fc.constant(undefined)), exp: claimValue, iat: claimValue, nbf: claimValue })
    .map((claims) => ({ kind: "claims", claims }) as const),
);

const key = new TextEncoder().encode(TEST_JWT_SECRET);
const goodTokens = new Map<string, Promise<string>>();

/** The header for `spec` when the path's user is `user`; small numbers in time claims are offsets from now. */
export async function renderAuthorization(spec: TokenSpec, user: string): Promise<string | undefined> {
  if (spec.kind === "fixed") return spec.header;
  if (spec.kind === "good") {
    if (!goodTokens.has(user))
      goodTokens.set(user, new SignJWT({}).setProtectedHeader({ alg: "HS256" }).setSubject(user).setIssuedAt().setExpirationTime("10m").sign(key));
    return `Bearer ${await goodTokens.get(user)!}`;
  }
  const now = Math.floor(Date.now() / 1000);
  const payload: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(spec.claims)) {
    if (value === undefined) continue;
    payload[name] = value === "@user" ? user : name !== "sub" && typeof value === "number" && Math.abs(value) <= 3600 ? now + value : value;
  }
  return `Bearer ${await new SignJWT(payload).setProtectedHeader({ alg: "HS256" }).sign(key)}`;
}

export const contentType: fc.Arbitrary<string | undefined> = fc.oneof(
  { weight: 8, arbitrary: fc.constant("application/json") },
  fc.constantFrom(
    undefined,
    "",
    "text/plain",
    "application/json; charset=utf-8",
    "application/json; charset=latin1",
    "application/merge-patch+json",
    "application/cloudevents+json",
    "multipart/form-data; boundary=x",
    "application/json;;;",
  ),
);

export const contentEncoding: fc.Arbitrary<string | undefined> = fc.oneof(
  { weight: 10, arbitrary: fc.constant(undefined) },
  fc.constantFrom("gzip", "identity", "br", "deflate, gzip", ""),
);

export const method: fc.Arbitrary<string> = fc.constantFrom("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS");
