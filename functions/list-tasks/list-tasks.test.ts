import { beforeAll, describe, expect, it } from "vitest";
import type { TaskJson } from "../../tasks/task-schema.js";
import { seedTasks, useTaskApi } from "../../test/fixtures.js";
import { expectFieldProblem, expectProblem } from "../../test/problems.js";

interface Page {
  items: TaskJson[];
  nextCursor: string | null;
}

const ctx = useTaskApi();

async function page(user: string, query: Record<string, string> = {}): Promise<Page> {
  const res = await ctx.api.list(user, query);
  expect(res.status, await res.clone().text()).toBe(200);
  return (await res.json()) as Page;
}

/** Follows nextCursor until the last page; returns every page. */
async function allPages(user: string, query: Record<string, string>): Promise<Page[]> {
  const pages: Page[] = [];
  let cursor: string | null = null;
  do {
    const next: Page = await page(user, { ...query, ...(cursor ? { cursor } : {}) });
    pages.push(next);
    cursor = next.nextCursor;
    expect(pages.length, "pagination terminates").toBeLessThan(100);
  } while (cursor);
  return pages;
}

/** ids newest first, as the API orders them: createdAt desc, then id desc. */
async function idsNewestFirst(userId: string, completed?: boolean): Promise<string[]> {
  const rows = await ctx.database.prisma.task.findMany({
    where: { userId, ...(completed === undefined ? {} : { completed }) },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
  });
  return rows.map((row) => row.id);
}

describe("listTasks", () => {
  it("lists the user's tasks newest first", async () => {
    const first = await ctx.api.newTask("newest", { title: "first" });
    const second = await ctx.api.newTask("newest", { title: "second" });
    const third = await ctx.api.newTask("newest", { title: "third" });
    const { items, nextCursor } = await page("newest");
    expect(items.map((t) => t.title)).toEqual(["third", "second", "first"]);
    expect(items).toEqual([third, second, first]);
    expect(nextCursor).toBeNull();
  });

  it("answers an empty page for a user with no tasks", async () => {
    expect(await page("nobody")).toEqual({ items: [], nextCursor: null });
  });

  it("shows only the caller's tasks", async () => {
    const daves = await ctx.api.newTask("dave", { title: "Dave's" });
    await ctx.api.newTask("erin", { title: "Erin's" });
    expect((await page("dave")).items).toEqual([daves]);
  });

  it("answers 403 for another user's list", async () => {
    await expectProblem(await ctx.api.list("dave", {}, "erin"), 403);
  });

  describe("status", () => {
    let open: TaskJson;
    let done: TaskJson;
    beforeAll(async () => {
      open = await ctx.api.newTask("status", { title: "open" });
      done = await ctx.api.newTask("status", { title: "done" });
      await ctx.api.complete("status", done.id);
    });

    it("defaults to open tasks", async () => {
      expect((await page("status")).items.map((t) => t.id)).toEqual([open.id]);
    });

    it("status=open lists open tasks, status=completed completed ones, status=all both", async () => {
      expect((await page("status", { status: "open" })).items.map((t) => t.id)).toEqual([open.id]);
      expect((await page("status", { status: "completed" })).items.map((t) => t.id)).toEqual([done.id]);
      expect((await page("status", { status: "all" })).items.map((t) => t.id)).toEqual([done.id, open.id]);
    });
  });

  describe("limit", () => {
    beforeAll(async () => {
      await seedTasks(ctx.database.prisma, "many", 120, (i) => ({ createdAt: new Date(Date.UTC(2030, 0, 1, 0, 0, i)) }));
    });

    it("defaults to 50", async () => {
      const { items, nextCursor } = await page("many");
      expect(items).toHaveLength(50);
      expect(nextCursor).not.toBeNull();
    });

    it("accepts 1 and 100", async () => {
      expect((await page("many", { limit: "1" })).items).toHaveLength(1);
      expect((await page("many", { limit: "100" })).items).toHaveLength(100);
    });

    it.each(["0", "101", "-1", "2.5", "ten", ""])("answers 400 naming query.limit for limit=%j", async (limit) => {
      await expectFieldProblem(await ctx.api.list("many", { limit }), "query.limit");
    });
  });

  describe("cursor pagination", () => {
    beforeAll(async () => {
      // Many tasks share a createdAt, so ties are broken by id.
      await seedTasks(ctx.database.prisma, "pages", 47, (i) => ({
        createdAt: new Date(Date.UTC(2030, 0, 1, 0, 0, Math.floor(i / 4))),
        completed: i % 5 === 0,
      }));
    });

    it.each([
      ["open", { status: "open" }, false],
      ["completed", { status: "completed" }, true],
      ["all", { status: "all" }, undefined],
    ] as const)("walks every %s task exactly once, in order, across pages", async (_status, query, completed) => {
      const expected = await idsNewestFirst("pages", completed);
      for (const limit of ["1", "4", "7", "50"]) {
        const pages = await allPages("pages", { ...query, limit });
        const ids = pages.flatMap((p) => p.items.map((t) => t.id));
        expect(ids, `limit=${limit}`).toEqual(expected);
        expect(new Set(ids).size).toBe(ids.length);
        expect(pages.slice(0, -1).every((p) => p.items.length === Number(limit))).toBe(true);
      }
    });

    it("gives no nextCursor on a page that ends exactly at the last task", async () => {
      const count = (await idsNewestFirst("pages")).length;
      expect((await page("pages", { status: "all", limit: String(count) })).nextCursor).toBeNull();
    });

    it("neither skips nor repeats when a task is created between pages", async () => {
      const user = "moving";
      await seedTasks(ctx.database.prisma, user, 6, (i) => ({ createdAt: new Date(Date.UTC(2020, 0, 1, 0, 0, i)) }));
      const expected = await idsNewestFirst(user);
      const first = await page(user, { limit: "3" });
      const newer = await ctx.api.newTask(user, { title: "newer than everything" });
      const second = await page(user, { limit: "3", cursor: first.nextCursor! });
      expect([...first.items, ...second.items].map((t) => t.id)).toEqual(expected);
      expect(second.nextCursor).toBeNull();
      expect((await page(user, { limit: "3" })).items[0]!.id).toBe(newer.id);
    });

    const cursorOf = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");

    /** A real cursor of the default query, to take its query digest from. */
    async function issued(): Promise<{ k: string; i: string; h: string }> {
      const { nextCursor } = await page("pages", { limit: "1" });
      return JSON.parse(Buffer.from(nextCursor!, "base64url").toString("utf8")) as { k: string; i: string; h: string };
    }

    it.each([
      ["garbage", () => "not-a-cursor"],
      ["base64 of something else", () => Buffer.from("hello").toString("base64url")],
      ["a cursor without an id", async () => cursorOf({ ...(await issued()), i: undefined })],
      ["a cursor whose id is not a uuid", async () => cursorOf({ ...(await issued()), i: "x' OR 1=1 --" })],
      ["a cursor whose date is out of range", async () => cursorOf({ ...(await issued()), k: "-271821-04-20T00:00:00.000Z" })],
      ["a cursor whose date is not ISO", async () => cursorOf({ ...(await issued()), k: "Tuesday" })],
      ["a cursor without a query digest", async () => cursorOf({ ...(await issued()), h: undefined })],
      ["a cursor of the same query with a forged digest", async () => cursorOf({ ...(await issued()), h: "AAAAAAAAAAAAAAAA" })],
      ["JSON null", () => cursorOf(null)],
      ["an over-long cursor", () => "a".repeat(201)],
    ])("answers 400 naming query.cursor for %s", async (_what, cursor) => {
      await expectFieldProblem(await ctx.api.list("pages", { cursor: await cursor() }), "query.cursor");
    });

    it("accepts a cursor the API issued, and a changed limit with it", async () => {
      const first = await page("pages", { limit: "2" });
      expect((await ctx.api.list("pages", { cursor: first.nextCursor! })).status).toBe(200);
    });
  });
});
