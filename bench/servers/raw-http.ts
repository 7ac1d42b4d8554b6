/**
 * The baseline of createTask and listTasks: bare node:http + pg doing the same
 * work as the functions: HS256 JWT verification with jose (sub must own the
 * path), the same zod schemas, for createTask the task and outbox rows in one
 * transaction, then publish to the sidecar and mark the row published.
 */
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { jwtVerify } from "jose";
import pg from "pg";
import { CreateTaskBody } from "../../tasks/task-input.js";
import { queryValues } from "../../runtime/query.js";
import { decodeCursor, encodeCursor } from "../../tasks/task-cursor.js";
import { listTasksStatement } from "../../tasks/task-list.js";
import { ListTasksQuery, UserParams } from "../../tasks/task-schema.js";
import { toTaskJson, type Task } from "../../tasks/task-store.js";
import { DAPR_HTTP_PORT, POOL_SIZE, PORT, databaseUrl, jwtSecret } from "./env.js";
import { TASK_COLUMNS, inTransaction, insertOutbox, publishAndMark, rowToJson, taskCreatedEvent, type TaskRow } from "./event-work.js";
import { parseJson, readBody, sendJson } from "./http-io.js";
import { createPublisher } from "./publisher.js";

const pool = new pg.Pool({ connectionString: databaseUrl(), max: POOL_SIZE });
const publish = createPublisher(DAPR_HTTP_PORT);
const key = new TextEncoder().encode(jwtSecret());
const ROUTE = /^\/api\/([^/?]+)\/tasks(?:\?(.*))?$/;
const MAX_BODY_BYTES = 64 * 1024;

interface Answer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

class Problem extends Error {
  constructor(
    readonly status: number,
    detail: string,
  ) {
    super(detail);
  }
}

async function authorize(req: IncomingMessage, userId: string): Promise<void> {
  const token = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? "")?.[1];
  if (!token) throw new Problem(401, "A bearer token is required.");
  const { payload } = await jwtVerify(token, key, { algorithms: ["HS256"] }).catch(() => {
    throw new Problem(401, "The token is not valid.");
  });
  if (payload.sub !== userId) throw new Problem(403, "The token does not grant access to this user's tasks.");
}

async function createTask(req: IncomingMessage, userId: string): Promise<Answer> {
  if (!/^application\/json/i.test(req.headers["content-type"] ?? "")) throw new Problem(415, "Send the body as application/json.");
  const text = await readBody(req);
  if (text.length > MAX_BODY_BYTES) throw new Problem(413, "The body is too large.");
  const body = CreateTaskBody.safeParse(parseJson(text));
  if (!body.success) throw new Problem(400, body.error.message);
  const input = body.data;
  const id = randomUUID();
  const event = await inTransaction(pool, async (client) => {
    const { rows } = await client.query<TaskRow>(
      `INSERT INTO tasks (id, user_id, series_id, title, description, priority, tags, due_at, remind_at, recurrence, time_zone)
       VALUES ($1, $2, $1, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING ${TASK_COLUMNS}`,
      [
        id,
        userId,
        input.title,
        input.description ?? null,
        input.priority,
        input.tags,
        input.dueAt ?? null,
        input.remindAt ?? null,
        input.recurrence ?? null,
        input.timeZone,
      ],
    );
    const created = taskCreatedEvent(rowToJson(rows[0]!), "/bench/createTask");
    await insertOutbox(client, created);
    return created;
  });
  await publishAndMark(pool, publish, event);
  return { status: 201, body: event.data, headers: { location: `/api/${encodeURIComponent(userId)}/tasks/${id}` } };
}

/** The same statement as listTasks (tasks/task-list.ts builds the SQL), run on pg directly. */
async function listTasks(userId: string, search: string): Promise<Answer> {
  const params = new URLSearchParams(search);
  const given: Record<string, string[]> = {};
  for (const name of new Set(params.keys())) given[name] = params.getAll(name);
  const parsed = ListTasksQuery.safeParse(queryValues(ListTasksQuery, given));
  if (!parsed.success) throw new Problem(400, parsed.error.message);
  const query = parsed.data;
  const reading = query.cursor === undefined ? undefined : decodeCursor(query.cursor, query);
  if (reading && "problem" in reading) throw new Problem(400, reading.problem);
  const statement = listTasksStatement(userId, query, reading?.cursor);
  const { rows } = await pool.query<Task>(statement.text, statement.values);
  const items = rows.slice(0, query.limit);
  const last = items[items.length - 1];
  const nextCursor = rows.length > query.limit && last ? encodeCursor(last, query) : null;
  return { status: 200, body: { items: items.map(toTaskJson), nextCursor } };
}

async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (req.method === "GET" && req.url === "/healthz") return sendJson(res, 200, { status: "ok" });
  const match = ROUTE.exec(req.url ?? "");
  const userId = match && decodeURIComponent(match[1]!);
  if (!userId || !UserParams.safeParse({ userId }).success || (req.method !== "POST" && req.method !== "GET")) {
    return sendJson(res, 404, { detail: "No such route." });
  }
  await authorize(req, userId);
  const result = req.method === "POST" ? await createTask(req, userId) : await listTasks(userId, match[2] ?? "");
  sendJson(res, result.status, result.body, result.headers);
}

createServer((req, res) => {
  route(req, res).catch((error: unknown) => {
    const status = error instanceof Problem ? error.status : 500;
    sendJson(res, status, { detail: (error as Error).message }, { "content-type": "application/problem+json" });
  });
}).listen(PORT, "127.0.0.1");

// Exit through process.exit so that `node --cpu-prof` writes its profile.
process.once("SIGTERM", () => process.exit(0));
