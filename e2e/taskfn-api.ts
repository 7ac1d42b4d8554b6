/**
 * The taskfn HTTP API as one user calls it: bearer token, JSON, and the
 * answer checked against the same schema that documents the API.
 */
import { HistoryPage, type HistoryEntry } from "../tasks/task-history.js";
import { TaskJson, TaskPage } from "../tasks/task-schema.js";
import type { Target } from "./target.js";

export interface UserApi {
  userId: string;
  /** Authorization and content type, for calls made some other way (direct, through a sidecar). */
  headers: Record<string, string>;
  createTask(body: Record<string, unknown>, baseUrl?: string): Promise<TaskJson>;
  completeTask(taskId: string): Promise<TaskJson>;
  reopenTask(taskId: string): Promise<TaskJson>;
  updateTask(taskId: string, changes: Record<string, unknown>): Promise<TaskJson>;
  /** Every task of the user, open and completed. */
  listTasks(): Promise<TaskJson[]>;
  /** The first page (up to 100 entries) of a task's history. */
  taskHistory(taskId: string): Promise<HistoryEntry[]>;
}

/** Sends the request and returns the JSON body, or throws with the status and body when the status is not `expected`. */
export async function callJson(url: string, init: RequestInit, expected: number): Promise<unknown> {
  const response = await fetch(url, { ...init, signal: AbortSignal.timeout(15_000) });
  const text = await response.text();
  if (response.status !== expected) throw new Error(`${init.method ?? "GET"} ${url} answered ${response.status} (expected ${expected}): ${text.slice(0, 500)}`);
  return text ? JSON.parse(text) : undefined;
}

export async function userApi(target: Target, userId: string): Promise<UserApi> {
  const headers = { authorization: `Bearer ${await target.mintToken(userId)}`, "content-type": "application/json" };
  const tasks = `/api/${encodeURIComponent(userId)}/tasks`;
  return {
    userId,
    headers,
    async createTask(body, baseUrl = target.gatewayUrl) {
      return TaskJson.parse(await callJson(`${baseUrl}${tasks}`, { method: "POST", headers, body: JSON.stringify(body) }, 201));
    },
    async completeTask(taskId) {
      return TaskJson.parse(await callJson(`${target.gatewayUrl}${tasks}/${taskId}/complete`, { method: "POST", headers }, 200));
    },
    async reopenTask(taskId) {
      return TaskJson.parse(await callJson(`${target.gatewayUrl}${tasks}/${taskId}/reopen`, { method: "POST", headers }, 200));
    },
    async updateTask(taskId, changes) {
      return TaskJson.parse(await callJson(`${target.gatewayUrl}${tasks}/${taskId}`, { method: "PATCH", headers, body: JSON.stringify(changes) }, 200));
    },
    async listTasks() {
      return TaskPage.parse(await callJson(`${target.gatewayUrl}${tasks}?status=all&limit=100`, { headers }, 200)).items;
    },
    async taskHistory(taskId) {
      return HistoryPage.parse(await callJson(`${target.gatewayUrl}${tasks}/${taskId}/history?limit=100`, { headers }, 200)).items;
    },
  };
}
