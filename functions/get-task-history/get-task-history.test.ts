import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { HANDLER_FACTORIES } from "../../test/functions.js";
import { DAPR_DELIVERY_FIELDS, deliver } from "../../test/events.js";
import { useTaskApi } from "../../test/fixtures.js";
import { expectProblem } from "../../test/problems.js";
import { subscriberPath } from "../../runtime/topic-trigger.js";
import { recordTaskHistory } from "../record-task-history/definition.js";
import type { HistoryEntry } from "../../tasks/task-history.js";
import type { TestApp } from "../../test/runtime.js";

const ctx = useTaskApi();
let recorder: TestApp;
beforeAll(() => {
  recorder = HANDLER_FACTORIES.recordTaskHistory!.app(ctx.api.runtime);
});

/** Delivers to recordTaskHistory every event published about `taskId` not delivered yet. */
const delivered = new Set<string>();
async function recordEventsOf(taskId: string): Promise<void> {
  for (const { cloudEvent } of ctx.api.dapr.published) {
    if (cloudEvent.subject !== taskId || delivered.has(cloudEvent.id)) continue;
    delivered.add(cloudEvent.id);
    expect(await deliver(recorder, subscriberPath(recordTaskHistory.trigger), { ...cloudEvent, ...DAPR_DELIVERY_FIELDS })).toBe("SUCCESS");
  }
}

async function historyPage(user: string, taskId: string, query: Record<string, string> = {}) {
  const res = await ctx.api.history(user, taskId, query);
  expect(res.status, await res.clone().text()).toBe(200);
  return (await res.json()) as { items: HistoryEntry[]; nextCursor: string | null };
}

describe("getTaskHistory", () => {
  it("answers the task's events oldest first, each with its event id, type, time and changes", async () => {
    const task = await ctx.api.newTask("alice", { title: "One" });
    await ctx.api.update("alice", task.id, { title: "Two" });
    await ctx.api.complete("alice", task.id);
    await recordEventsOf(task.id);
    const published = ctx.api.dapr.published.map((p) => p.cloudEvent).filter((e) => e.subject === task.id);

    const { items, nextCursor } = await historyPage("alice", task.id);
    expect(nextCursor).toBeNull();
    expect(items.map((e) => [e.eventId, e.type, e.time])).toEqual(published.map((e) => [e.id, e.type, e.time]));
    expect(items[1]!.changes).toEqual({ title: { from: "One", to: "Two" } });
  });

  it("pages with nextCursor, never skipping or repeating an entry", async () => {
    const task = await ctx.api.newTask("alice", { title: "v0" });
    for (let i = 1; i <= 6; i++) await ctx.api.update("alice", task.id, { title: `v${i}` });
    await recordEventsOf(task.id);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { items: HistoryEntry[]; nextCursor: string | null } = await historyPage("alice", task.id, { limit: "3", ...(cursor ? { cursor } : {}) });
      expect(page.items.length).toBeLessThanOrEqual(3);
      seen.push(...page.items.map((e) => e.eventId));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual(ctx.api.dapr.published.filter((p) => p.cloudEvent.subject === task.id).map((p) => p.cloudEvent.id));
  });

  it("still answers after the task is deleted, ending with task.deleted", async () => {
    const task = await ctx.api.newTask("alice");
    await ctx.api.delete("alice", task.id);
    await recordEventsOf(task.id);
    expect((await historyPage("alice", task.id)).items.map((e) => e.type)).toEqual(["task.created", "task.deleted"]);
  });

  it("answers an empty page for the user's own task whose first event is not recorded yet", async () => {
    const task = await ctx.api.newTask("alice");
    expect(await historyPage("alice", task.id)).toEqual({ items: [], nextCursor: null });
  });

  it("answers 404 for another user's task, even one with a history, and for a task that never existed", async () => {
    const bobs = await ctx.api.newTask("bob", { title: "Bob's secret" });
    await recordEventsOf(bobs.id);
    const problem = await expectProblem(await ctx.api.history("alice", bobs.id), 404);
    expect(JSON.stringify(problem)).not.toContain("Bob's secret");
    await expectProblem(await ctx.api.history("alice", randomUUID()), 404);
    expect((await historyPage("bob", bobs.id)).items).toHaveLength(1);
  });

  it("answers 403 for another user's path", async () => {
    const bobs = await ctx.api.newTask("bob");
    await expectProblem(await ctx.api.history("alice", bobs.id, {}, "bob"), 403);
  });

  it.each([
    ["query.cursor", { cursor: "bm90LWEtY3Vyc29y" }],
    ["query.cursor", { cursor: Buffer.from(JSON.stringify({ time: "2030-01-01T00:00:00.000Z", seq: "1; DROP" })).toString("base64url") }],
    ["query.limit", { limit: "0" }],
    ["query.limit", { limit: "101" }],
    ["query.order", { order: "desc" }],
  ])("answers 400 naming %s for %j", async (field, query) => {
    const task = await ctx.api.newTask("alice");
    const problem = await expectProblem(await ctx.api.history("alice", task.id, query), 400);
    expect(JSON.stringify(problem.errors)).toContain(field);
  });
});
