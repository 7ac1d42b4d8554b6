import { beforeAll, describe, expect, it } from "vitest";
import type { Task } from "../../generated/prisma/client.js";
import { TASK_SORTS, type TaskJson, type TaskSort } from "../../tasks/task-schema.js";
import { seedTasks, useTaskApi } from "../../test/fixtures.js";
import { expectFieldProblem } from "../../test/problems.js";

interface Page {
  items: TaskJson[];
  nextCursor: string | null;
}
type Query = [string, string][];

const ctx = useTaskApi();
const USER = "finder";
const HOUR = 3_600_000;
const BASE = Date.UTC(2030, 0, 1);
const PRIORITY_RANK = { low: 0, medium: 1, high: 2 } as const;

async function page(query: Query, user = USER): Promise<Page> {
  const res = await ctx.api.list(user, query);
  expect(res.status, await res.clone().text()).toBe(200);
  return (await res.json()) as Page;
}

/** Every id the query lists, following nextCursor page by page. */
async function walk(query: Query): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | null = null;
  for (let pages = 0; pages < 200; pages++) {
    const next: Page = await page([...query, ...(cursor ? [["cursor", cursor] as [string, string]] : [])]);
    ids.push(...next.items.map((t) => t.id));
    cursor = next.nextCursor;
    if (!cursor) return ids;
  }
  throw new Error("pagination did not terminate");
}

const ids = (query: Query) => page([...query, ["status", "all"], ["limit", "100"]]).then((p) => p.items.map((t) => t.id).sort());
const rows = () => ctx.database.prisma.task.findMany({ where: { userId: USER } });
const idsOf = (tasks: Task[]) => tasks.map((t) => t.id).sort();

/** The order the API promises: the key, NULL (only dueAt) last ascending and first descending, then id in the same direction. */
function expectedOrder(tasks: Task[], sort: TaskSort, order: "asc" | "desc"): string[] {
  const key = (t: Task): number | null => (sort === "priority" ? PRIORITY_RANK[t.priority] : (t[sort]?.getTime() ?? null));
  const sign = order === "asc" ? 1 : -1;
  return [...tasks]
    .sort((a, b) => {
      const [ka, kb] = [key(a), key(b)];
      if (ka !== kb) return ka === null ? sign : kb === null ? -sign : sign * (ka - kb);
      return sign * (a.id < b.id ? -1 : 1);
    })
    .map((t) => t.id);
}

beforeAll(async () => {
  // Few distinct keys, so every sort has long runs of ties and crosses NULL due dates.
  await seedTasks(ctx.database.prisma, USER, 37, (i) => ({
    title: i % 6 === 0 ? `Call 50%_off shop ${i}` : `Task ${i}`,
    description: i % 5 === 0 ? "Pick up the PARCEL" : null,
    priority: (["low", "medium", "high"] as const)[i % 3],
    tags: [["work"], ["work", "urgent"], ["home"], []][i % 4],
    dueAt: i % 4 === 3 ? null : new Date(BASE + (i % 7) * 24 * HOUR),
    completed: i % 5 === 1,
    createdAt: new Date(BASE - Math.floor(i / 3) * HOUR),
    updatedAt: new Date(BASE + (i % 4) * HOUR),
  }));
  await seedTasks(ctx.database.prisma, "someone-else", 5, () => ({ tags: ["work"], title: "Call 50%_off shop" }));
});

describe("listTasks filters", () => {
  it("tag: every given tag must be on the task (repeatable)", async () => {
    const all = await rows();
    expect(await ids([["tag", "work"]])).toEqual(idsOf(all.filter((t) => t.tags.includes("work"))));
    expect(
      await ids([
        ["tag", "work"],
        ["tag", "urgent"],
      ]),
    ).toEqual(idsOf(all.filter((t) => t.tags.includes("work") && t.tags.includes("urgent"))));
    expect(
      await ids([
        ["tag", "work"],
        ["tag", "home"],
      ]),
    ).toEqual([]);
  });

  it("priority: only tasks of that priority", async () => {
    expect(await ids([["priority", "high"]])).toEqual(idsOf((await rows()).filter((t) => t.priority === "high")));
  });

  it("dueAfter (inclusive) and dueBefore (exclusive) select a half-open range of due dates", async () => {
    const from = new Date(BASE + 2 * 24 * HOUR);
    const to = new Date(BASE + 4 * 24 * HOUR);
    const expected = (await rows()).filter((t) => t.dueAt && t.dueAt >= from && t.dueAt < to);
    expect(expected.length).toBeGreaterThan(0);
    expect(
      await ids([
        ["dueAfter", from.toISOString()],
        ["dueBefore", "2030-01-05T01:00:00+01:00"],
      ]),
    ).toEqual(idsOf(expected));
  });

  it("overdue=true: open tasks due before now, whatever status says", async () => {
    const past = await ctx.api.newTask("late", { title: "late", dueAt: "2020-01-01T00:00:00Z" });
    const donePast = await ctx.api.newTask("late", { title: "done late", dueAt: "2020-01-01T00:00:00Z" });
    await ctx.api.complete("late", donePast.id);
    await ctx.api.newTask("late", { title: "future", dueAt: "2999-01-01T00:00:00Z" });
    await ctx.api.newTask("late", { title: "no due date" });
    for (const status of ["open", "all"]) {
      expect(
        (
          await page(
            [
              ["overdue", "true"],
              ["status", status],
            ],
            "late",
          )
        ).items.map((t) => t.id),
      ).toEqual([past.id]);
    }
    expect((await page([["overdue", "false"]], "late")).items).toHaveLength(3);
  });

  it("q: case-insensitive substring of the title or the description, % and _ taken literally", async () => {
    const all = await rows();
    expect(await ids([["q", "parcel"]])).toEqual(idsOf(all.filter((t) => t.description?.includes("PARCEL"))));
    expect(await ids([["q", "50%_OFF"]])).toEqual(idsOf(all.filter((t) => t.title.includes("50%_off"))));
    expect(await ids([["q", "5_%"]])).toEqual([]);
  });

  it("combines filters with AND", async () => {
    const expected = (await rows()).filter((t) => t.tags.includes("work") && t.priority === "low" && !t.completed);
    expect(
      (
        await page([
          ["tag", "work"],
          ["priority", "low"],
          ["limit", "100"],
        ])
      ).items
        .map((t) => t.id)
        .sort(),
    ).toEqual(idsOf(expected));
  });
});

describe("listTasks sorts", () => {
  describe.each(TASK_SORTS.flatMap((sort) => (["asc", "desc"] as const).map((order) => [sort, order] as const)))("sort=%s order=%s", (sort, order) => {
    it.each(["open", "all"])("walks every %s task once, in order, ties broken by id, across pages of 4", async (status) => {
      const tasks = (await rows()).filter((t) => status === "all" || !t.completed);
      expect(
        await walk([
          ["sort", sort],
          ["order", order],
          ["status", status],
          ["limit", "4"],
        ]),
      ).toEqual(expectedOrder(tasks, sort, order));
    });

    it("pages through a filtered set the same way", async () => {
      const tasks = (await rows()).filter((t) => t.tags.includes("work"));
      expect(
        await walk([
          ["sort", sort],
          ["order", order],
          ["status", "all"],
          ["tag", "work"],
          ["limit", "3"],
        ]),
      ).toEqual(expectedOrder(tasks, sort, order));
    });
  });

  it("defaults to createdAt desc", async () => {
    const tasks = (await rows()).filter((t) => !t.completed);
    expect(await walk([["limit", "5"]])).toEqual(expectedOrder(tasks, "createdAt", "desc"));
  });
});

describe("listTasks refuses", () => {
  it.each([
    ["another sort", [["sort", "dueAt"]]],
    ["another order", [["order", "asc"]]],
    ["another status", [["status", "all"]]],
    ["another filter", [["tag", "work"]]],
    ["another search", [["q", "call"]]],
  ] as [string, Query][])("a cursor used with %s: 400 naming query.cursor", async (_what, other) => {
    const { nextCursor } = await page([["limit", "2"]]);
    await expectFieldProblem(await ctx.api.list(USER, [...other, ["cursor", nextCursor!]]), "query.cursor");
  });

  it.each([
    ["priority", "urgent"],
    ["dueBefore", "tomorrow"],
    ["dueAfter", "2030-01-01"],
    ["overdue", "yes"],
    ["sort", "title"],
    ["order", "up"],
    ["q", " "],
    ["q", "x".repeat(201)],
    ["colour", "red"],
  ])("%s=%j: 400 naming the parameter", async (name, value) => {
    await expectFieldProblem(await ctx.api.list(USER, [[name, value]]), `query.${name}`);
  });

  it.each(["", "x".repeat(41)])("tag=%j as the second tag: 400 naming that one, query.tag.1", async (value) => {
    await expectFieldProblem(
      await ctx.api.list(USER, [
        ["tag", "work"],
        ["tag", value],
      ]),
      "query.tag.1",
    );
  });

  it.each(["status", "sort", "order", "priority", "limit", "q", "cursor"])("%s given twice: 400 naming it", async (name) => {
    await expectFieldProblem(
      await ctx.api.list(USER, [
        [name, "open"],
        [name, "all"],
      ]),
      `query.${name}`,
    );
  });

  it("more than 20 tags: 400 naming query.tag", async () => {
    await expectFieldProblem(
      await ctx.api.list(
        USER,
        Array.from({ length: 21 }, (_, i) => ["tag", `t${i}`] as [string, string]),
      ),
      "query.tag",
    );
  });

  it("overdue=true with status=completed: 400 naming query.overdue", async () => {
    await expectFieldProblem(
      await ctx.api.list(USER, [
        ["overdue", "true"],
        ["status", "completed"],
      ]),
      "query.overdue",
    );
  });
});
