/**
 * Property: whatever request reaches an HTTP function — any method, path, query,
 * headers, token and body — the answer is never a 5xx, every 4xx is an RFC 9457
 * problem+json, and a rejected request writes nothing.
 */
import * as fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HTTP_FUNCTIONS } from "../../functions/catalog.js";
import { sql } from "../../runtime/database.js";
import type { FunctionDefinition, HttpTrigger } from "../../runtime/types.js";
import { createTestDatabase, type TestDatabase } from "../database.js";
import { createTaskApi, type TaskApi } from "../fixtures.js";
import { HANDLER_FACTORIES } from "../functions.js";
import { bodyText, contentEncoding, contentType, method, nastyString, renderAuthorization, tokenSpec } from "./arbitraries.js";
import { fuzz } from "./fuzz-run.js";
import type { TestApp } from "../runtime.js";

let database: TestDatabase;
let api: TaskApi;
const taskIds: string[] = [];
beforeAll(async () => {
  database = await createTestDatabase();
  api = createTaskApi(database.db);
  for (const user of ["alice", "alice", "bob"])
    taskIds.push((await api.newTask(user, { title: "Seeded", dueAt: "2030-01-01T09:00:00Z", recurrence: "FREQ=DAILY" })).id);
});
afterAll(() => database.drop());

/** Every row of tasks (hashed) and how many outbox, processed and history rows there are: any write changes it. */
async function fingerprint(): Promise<string> {
  const [row] = await database.db.query<{ state: string }>(
    sql`SELECT concat_ws(' ', (SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t.id), '')) FROM tasks t), (SELECT count(*) FROM outbox_events), (SELECT count(*) FROM processed_events), (SELECT count(*) FROM task_history)) AS state`,
  );
  return row!.state;
}

// Paths as a client could write them: mostly the owner's, some percent-encoded trouble.
const pathUser = fc.oneof(
  { weight: 6, arbitrary: fc.constant("alice") },
  fc.constantFrom("bob", "a%00b", "%ZZ", "%F0%9F%8C%B1", "%ED%A0%80", "x".repeat(200), "..", "%2F", "%20", "al%69ce"),
);
// Known ids are picked when the request is sent: the pool grows with every task the fuzz creates.
const taskId = fc.oneof(
  { weight: 12, arbitrary: fc.nat().map((i) => () => taskIds[i % taskIds.length]!) },
  fc
    .constantFrom("0b7d1a4e-5d7c-4f4e-9a57-6b0c5b8c9d10", "00000000-0000-0000-0000-000000000000", "not-a-uuid", "0B7D1A4E-5D7C-4F4E-9A57-6B0C5B8C9D10", "%00")
    .map((id) => () => id),
);
const queryPairs = fc.array(
  fc.tuple(
    fc.constantFrom("status", "limit", "cursor", "junk"),
    fc.oneof(fc.constantFrom("open", "completed", "all", "bogus", "0x10", " 5", "5", "100", "101", "0", "-1", "1e1", "5.0", "", "eyJ4IjoxfQ"), nastyString),
  ),
  { maxLength: 4 },
);

const request = fc.record({
  fn: fc.constantFrom(...HTTP_FUNCTIONS.map((f) => f.name)),
  otherMethod: fc.oneof({ weight: 9, arbitrary: fc.constant(null) }, method),
  user: pathUser,
  taskId,
  query: queryPairs,
  token: tokenSpec,
  contentType,
  contentEncoding,
  body: bodyText,
});
type FuzzRequest = typeof request extends fc.Arbitrary<infer R> ? R : never;

function pathOf(trigger: HttpTrigger, { user, taskId }: FuzzRequest): string {
  return trigger.path.replace("{userId}", user).replace("{taskId}", taskId());
}

async function send(definition: FunctionDefinition<HttpTrigger>, r: FuzzRequest): Promise<Response> {
  const httpMethod = r.otherMethod ?? definition.trigger.method.toUpperCase();
  const query = new URLSearchParams(r.query).toString();
  const headers: Record<string, string> = {};
  const auth = await renderAuthorization(r.token, decodeURIComponentSafe(r.user));
  if (auth !== undefined) headers.authorization = auth;
  if (r.contentType !== undefined) headers["content-type"] = r.contentType;
  if (r.contentEncoding !== undefined) headers["content-encoding"] = r.contentEncoding;
  const hasBody = httpMethod !== "GET" && httpMethod !== "HEAD";
  return apps
    .get(definition.name)!
    .request(`${pathOf(definition.trigger, r)}${query ? `?${query}` : ""}`, { method: httpMethod, headers, ...(hasBody ? { body: r.body } : {}) });
}

function decodeURIComponentSafe(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

let apps: Map<string, TestApp>;

describe("every HTTP function under generated hostile requests", () => {
  it("never answers 5xx, answers every 4xx as problem+json, and writes nothing when it refuses", async () => {
    apps = new Map(HTTP_FUNCTIONS.map((f) => [f.name, HANDLER_FACTORIES[f.name]!.app(api.runtime)]));
    const statuses = new Map<number, number>();
    const runs = await fuzz(
      "HTTP functions",
      fc.asyncProperty(request, async (r) => {
        const before = await fingerprint();
        const res = await send(
          HTTP_FUNCTIONS.find((f) => f.name === r.fn)!,
          r,
        );
        const text = await res.text();
        if (res.status === 201) taskIds.push((JSON.parse(text) as { id: string }).id);
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        if (res.status >= 500) throw new Error(`${res.status}: ${text}`);
        if (res.status >= 400) {
          expect(res.headers.get("content-type")).toBe("application/problem+json");
          if (r.otherMethod !== "HEAD") expect(JSON.parse(text)).toMatchObject({ type: "about:blank", status: res.status, title: expect.any(String) });
          expect(await fingerprint(), "a refused request writes nothing").toBe(before);
        }
      }),
      { runs: 3_000, timeLimitMs: 18_000 },
    );
    console.info(`HTTP fuzz: ${runs} requests, statuses ${JSON.stringify(Object.fromEntries(statuses))}`);
    // The generators must reach past authentication and validation, or the property proves little.
    expect(runs).toBeGreaterThan(200);
    expect([...statuses.keys()].filter((s) => s < 300).length, `statuses seen: ${JSON.stringify([...statuses])}`).toBeGreaterThan(0);
    expect(statuses.get(400) ?? 0).toBeGreaterThan(runs / 20);
  }, 60_000);
});
