import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { onTaskCompleted as onTaskCompletedDefinition } from "../on-task-completed/definition.js";
import { subscriberPath } from "../../runtime/topic-trigger.js";
import type { TaskJson } from "../../tasks/task-schema.js";
import { countRows } from "../../test/database.js";
import { deliver } from "../../test/events.js";
import { HANDLER_FACTORIES } from "../../test/functions.js";
import { publishedOfType, useTaskApi } from "../../test/fixtures.js";
import { expectProblem } from "../../test/problems.js";

const ctx = useTaskApi();
let onTaskCompleted: ReturnType<(typeof HANDLER_FACTORIES)[string]["app"]>;
beforeAll(() => {
  onTaskCompleted = HANDLER_FACTORIES.onTaskCompleted!.app(ctx.api.runtime);
});

const eventsOf = (type: "task.reopened" | "task.deleted" | "task.completed", id: string) => publishedOfType(ctx.api.dapr, type).filter((e) => e.subject === id);
const json = async (res: Response) => {
  expect(res.status, await res.clone().text()).toBe(200);
  return (await res.json()) as TaskJson;
};
const instancesOf = (seriesId: string) => ctx.database.prisma.task.findMany({ where: { seriesId }, orderBy: { occurrence: "asc" } });

/** Completes `task` and lets onTaskCompleted handle the completion, as Dapr would deliver it. */
async function completeAndFollow(user: string, task: TaskJson): Promise<void> {
  await ctx.api.complete(user, task.id);
  const [event] = eventsOf("task.completed", task.id).slice(-1);
  expect(await deliver(onTaskCompleted, subscriberPath(onTaskCompletedDefinition.trigger), { ...event, topic: "tasks", pubsubname: "pubsub" })).toBe("SUCCESS");
}

describe("reopenTask", () => {
  it("answers 200 with the task open again, completedAt cleared, and emits task.reopened with it", async () => {
    const task = await ctx.api.newTask("alice", { title: "Oops" });
    await ctx.api.complete("alice", task.id);
    const open = await json(await ctx.api.reopen("alice", task.id));
    expect(open).toMatchObject({ id: task.id, title: "Oops", completed: false, completedAt: null });
    expect(Date.parse(open.updatedAt)).toBeGreaterThan(Date.parse(task.updatedAt) - 1);
    const events = eventsOf("task.reopened", task.id);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ type: "task.reopened", source: "/taskfn/reopenTask", partitionkey: "alice", data: open });
  });

  it("reopening an open task answers 200 with it unchanged and changes and emits nothing", async () => {
    const task = await ctx.api.newTask("alice");
    const before = await countRows(ctx.database.prisma);
    expect(await json(await ctx.api.reopen("alice", task.id))).toEqual(task);
    expect(eventsOf("task.reopened", task.id)).toHaveLength(0);
    expect(await countRows(ctx.database.prisma)).toEqual(before);
  });

  it("reopens once when two reopens race: one event", async () => {
    const task = await ctx.api.newTask("alice");
    await ctx.api.complete("alice", task.id);
    const answers = await Promise.all([ctx.api.reopen("alice", task.id), ctx.api.reopen("alice", task.id)]);
    expect(answers.map((r) => r.status)).toEqual([200, 200]);
    expect(eventsOf("task.reopened", task.id)).toHaveLength(1);
  });

  it("answers 404 for a missing task and for another user's task, changing nothing", async () => {
    const bobs = await ctx.api.newTask("bob");
    await ctx.api.complete("bob", bobs.id);
    const before = await countRows(ctx.database.prisma);
    await expectProblem(await ctx.api.reopen("alice", randomUUID()), 404);
    await expectProblem(await ctx.api.reopen("alice", bobs.id), 404);
    await expectProblem(await ctx.api.reopen("alice", bobs.id, "bob"), 403);
    expect(await countRows(ctx.database.prisma)).toEqual(before);
  });

  describe("a recurring instance", () => {
    const daily = { title: "Water plants", dueAt: "2030-01-01T09:00:00Z", recurrence: "FREQ=DAILY" };

    it("deletes the untouched next instance its completion created (task.deleted), so completing again creates it once more", async () => {
      const first = await ctx.api.newTask("carol", daily);
      await completeAndFollow("carol", first);
      const [, next] = await instancesOf(first.seriesId);
      expect(next).toMatchObject({ occurrence: 2, completed: false });

      await json(await ctx.api.reopen("carol", first.id));
      expect((await instancesOf(first.seriesId)).map((t) => [t.occurrence, t.completed])).toEqual([[1, false]]);
      expect(eventsOf("task.deleted", next!.id)).toHaveLength(1);

      await completeAndFollow("carol", first);
      expect((await instancesOf(first.seriesId)).map((t) => [t.occurrence, t.completed])).toEqual([
        [1, true],
        [2, false],
      ]);
    });

    it.each([
      ["changed", (user: string, id: string) => ctx.api.update(user, id, { title: "Water the ferns too" })],
      ["completed", (user: string, id: string) => ctx.api.complete(user, id)],
    ])("answers 409 and changes nothing when the next instance was %s since", async (_what, touch) => {
      const first = await ctx.api.newTask("dave", daily);
      await completeAndFollow("dave", first);
      const [, next] = await instancesOf(first.seriesId);
      expect((await touch("dave", next!.id)).status).toBe(200);
      const before = await instancesOf(first.seriesId);
      const published = ctx.api.dapr.published.length;
      await expectProblem(await ctx.api.reopen("dave", first.id), 409);
      expect(await instancesOf(first.seriesId)).toEqual(before);
      expect(ctx.api.dapr.published).toHaveLength(published);
    });

    it("when reopened before onTaskCompleted handled the completion, no next instance is created from it", async () => {
      const first = await ctx.api.newTask("erin", daily);
      await ctx.api.complete("erin", first.id);
      const [completion] = eventsOf("task.completed", first.id);
      await json(await ctx.api.reopen("erin", first.id));
      expect(await deliver(onTaskCompleted, subscriberPath(onTaskCompletedDefinition.trigger), { ...completion, topic: "tasks", pubsubname: "pubsub" })).toBe(
        "SUCCESS",
      );
      expect((await instancesOf(first.seriesId)).map((t) => [t.occurrence, t.completed])).toEqual([[1, false]]);
    });

    it("never leaves two open instances when a reopen races the next instance's creation", async () => {
      for (let round = 0; round < 5; round++) {
        const first = await ctx.api.newTask("frank", daily);
        await ctx.api.complete("frank", first.id);
        const [completion] = eventsOf("task.completed", first.id);
        await Promise.all([
          deliver(onTaskCompleted, subscriberPath(onTaskCompletedDefinition.trigger), { ...completion, topic: "tasks", pubsubname: "pubsub" }),
          ctx.api.reopen("frank", first.id),
        ]);
        const open = (await instancesOf(first.seriesId)).filter((t) => !t.completed);
        expect(
          open.map((t) => t.occurrence),
          `round ${round}`,
        ).toEqual([1]);
      }
    });
  });
});
