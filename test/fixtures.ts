/**
 * Shared fixtures for the function tests: the task API as a client would call
 * it, and bulk rows. CloudEvent fixtures are in events.ts, the checks every
 * error answer must pass in problems.ts.
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, expect } from "vitest";
import type { TaskfnCloudEvent } from "../runtime/cloud-event.js";
import type { FunctionRuntime, HandlerFactory } from "../runtime/app.js";
import type { FunctionDefinition, Trigger } from "../runtime/types.js";
import type { Database } from "../runtime/database.js";
import type { EventType } from "../tasks/events.js";
import type { TaskJson } from "../tasks/task-schema.js";
import type { Prisma, PrismaClient } from "../generated/prisma/client.js";
import { createTestDatabase, type TestDatabase } from "./database.js";
import { HANDLER_FACTORIES } from "./functions.js";
import { authHeaders, createRecordingDapr, createTestApp, createTestRuntime, type RecordingDapr, type TestApp } from "./runtime.js";

export type Body = Record<string, unknown>;

/** The task HTTP functions on one database, called as `user` (whose token it sends). */
export interface TaskApi {
  dapr: RecordingDapr;
  runtime: FunctionRuntime;
  create(user: string, body: Body): Promise<Response>;
  /** Pairs may repeat a parameter: `[["tag", "a"], ["tag", "b"]]`. */
  list(user: string, query?: Record<string, string> | [string, string][], owner?: string): Promise<Response>;
  get(user: string, taskId: string, owner?: string): Promise<Response>;
  update(user: string, taskId: string, body: Body, owner?: string): Promise<Response>;
  complete(user: string, taskId: string, owner?: string): Promise<Response>;
  reopen(user: string, taskId: string, owner?: string): Promise<Response>;
  delete(user: string, taskId: string, owner?: string): Promise<Response>;
  history(user: string, taskId: string, query?: Record<string, string>, owner?: string): Promise<Response>;
  /** createTask, asserting 201; returns the task. */
  newTask(user: string, body?: Body): Promise<TaskJson>;
}

export function createTaskApi(db: Database, dapr: RecordingDapr = createRecordingDapr()): TaskApi {
  const runtime = createTestRuntime(db, dapr);
  const appOf = (name: string) => HANDLER_FACTORIES[name]!.app(runtime);
  const apps = {
    create: appOf("createTask"),
    list: appOf("listTasks"),
    get: appOf("getTask"),
    update: appOf("updateTask"),
    complete: appOf("completeTask"),
    reopen: appOf("reopenTask"),
    delete: appOf("deleteTask"),
    history: appOf("getTaskHistory"),
  };
  // `owner` is the user in the path; it defaults to the caller.
  const path = (owner: string, taskId?: string) => `/api/${encodeURIComponent(owner)}/tasks${taskId ? `/${taskId}` : ""}`;
  const send = async (app: TestApp, user: string, method: string, url: string, body?: Body) =>
    app.request(url, { method, headers: await authHeaders(user), ...(body === undefined ? {} : { body: JSON.stringify(body) }) });

  const api: TaskApi = {
    dapr,
    runtime,
    create: (user, body) => send(apps.create, user, "POST", path(user), body),
    list: (user, query = {}, owner = user) => send(apps.list, user, "GET", `${path(owner)}?${new URLSearchParams(query)}`),
    get: (user, taskId, owner = user) => send(apps.get, user, "GET", path(owner, taskId)),
    update: (user, taskId, body, owner = user) => send(apps.update, user, "PATCH", path(owner, taskId), body),
    complete: (user, taskId, owner = user) => send(apps.complete, user, "POST", `${path(owner, taskId)}/complete`),
    reopen: (user, taskId, owner = user) => send(apps.reopen, user, "POST", `${path(owner, taskId)}/reopen`),
    delete: (user, taskId, owner = user) => send(apps.delete, user, "DELETE", path(owner, taskId)),
    history: (user, taskId, query = {}, owner = user) => send(apps.history, user, "GET", `${path(owner, taskId)}/history?${new URLSearchParams(query)}`),
    async newTask(user, body = { title: "A task" }) {
      const res = await api.create(user, body);
      expect(res.status, await res.clone().text()).toBe(201);
      return (await res.json()) as TaskJson;
    },
  };
  return api;
}

/** The CloudEvents of one type the double saw published, in order. */
export function publishedOfType(dapr: RecordingDapr, type: EventType): TaskfnCloudEvent[] {
  return dapr.published.map((p) => p.cloudEvent).filter((e) => e.type === type);
}

/** Inserts `count` tasks of `userId` straight into the table (for volume tests), returning their ids. */
export async function seedTasks(
  db: PrismaClient,
  userId: string,
  count: number,
  fields: (i: number) => Partial<Prisma.TaskCreateManyInput> = () => ({}),
): Promise<string[]> {
  const rows = Array.from({ length: count }, (_, i) => {
    const id = randomUUID();
    return { id, seriesId: id, userId, title: `Task ${i}`, ...fields(i) };
  });
  await db.task.createMany({ data: rows });
  return rows.map((row) => row.id);
}

/** This test file's own database and a TaskApi over it: created before its tests, dropped after. */
export function useTaskApi(): { readonly database: TestDatabase; readonly api: TaskApi };
/** The same, and `definition`'s app on that database (on the TaskApi's runtime unless `runtime` says otherwise). */
export function useTaskApi<T extends Trigger>(
  definition: FunctionDefinition<T>,
  createHandler: HandlerFactory<T>,
  runtime?: (context: { database: TestDatabase; api: TaskApi }) => FunctionRuntime,
): { readonly database: TestDatabase; readonly api: TaskApi; readonly app: TestApp };
export function useTaskApi<T extends Trigger>(
  definition?: FunctionDefinition<T>,
  createHandler?: HandlerFactory<T>,
  runtime: (context: { database: TestDatabase; api: TaskApi }) => FunctionRuntime = ({ api }) => api.runtime,
) {
  const context = {} as { database: TestDatabase; api: TaskApi; app: TestApp };
  beforeAll(async () => {
    context.database = await createTestDatabase();
    context.api = createTaskApi(context.database.db);
    if (definition && createHandler) context.app = createTestApp(definition, createHandler, runtime(context));
  });
  afterAll(() => context.database.drop());
  return context;
}
