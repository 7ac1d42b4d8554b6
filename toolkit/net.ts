/** Loopback helpers: free ports, reachability, and bounded waiting. */
import { request } from "node:http";
import { createConnection, createServer } from "node:net";

const handedOut = new Set<number>();

/**
 * Where freePort looks: below Linux's ephemeral range (32768-60999), which the
 * kernel draws source ports of outgoing connections from. A port handed out from
 * that range could become the source port of some connection (another stack on
 * the machine, or a readiness poll to this very port, which then connects to
 * itself) before its process binds it: EADDRINUSE at start (fault suite runs of
 * 2026-12-01).
 */
export const FREE_PORT_RANGE = { from: 20_000, to: 32_767 } as const;

function tryListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.unref();
    srv.once("error", () => resolve(false));
    srv.listen(port, "127.0.0.1", () => srv.close(() => resolve(true)));
  });
}

/** A currently free TCP port on 127.0.0.1 (never the same one twice per process, to avoid self-collisions). */
export async function freePort(): Promise<number> {
  for (;;) {
    const port = FREE_PORT_RANGE.from + Math.floor(Math.random() * (FREE_PORT_RANGE.to - FREE_PORT_RANGE.from + 1));
    if (handedOut.has(port)) continue;
    // Taken before the await, so concurrent callers never get the same port.
    handedOut.add(port);
    if (await tryListen(port)) return port;
  }
}

export function canConnect(port: number, host = "127.0.0.1"): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = createConnection({ port, host });
    const done = (ok: boolean) => {
      sock.destroy();
      resolve(ok);
    };
    sock.setTimeout(1000, () => done(false));
    sock.once("connect", () => done(true));
    sock.once("error", () => done(false));
  });
}

/**
 * One GET on a fresh connection; resolves the status or 0 when nothing answers.
 * node:http (not fetch) because fetch's first call loads undici, which would be
 * counted in a cold start being measured.
 */
export function probe(port: number, path: string, timeoutMs = 1_000): Promise<number> {
  return new Promise((resolve) => {
    const req = request({ host: "127.0.0.1", port, path, agent: false, timeout: timeoutMs }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on("timeout", () => req.destroy());
    req.on("error", () => resolve(0));
    req.end();
  });
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export interface WaitOptions {
  intervalMs?: number;
  /** A reason to stop waiting (e.g. the process died), or undefined to go on. */
  abort?: () => string | undefined;
  /** Appended to the error, e.g. the last lines a process printed. */
  describe?: () => string;
}

/**
 * Polls `probe` until it returns something other than undefined, `timeoutMs`
 * elapses (throws, with `describe()` appended), or `abort()` returns a reason.
 */
export async function waitFor<T>(what: string, timeoutMs: number, check: () => Promise<T | undefined>, opts: WaitOptions = {}): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError = "";
  for (;;) {
    const aborted = opts.abort?.();
    if (aborted) throw new Error(`${what}: ${aborted}${opts.describe?.() ?? ""}`);
    try {
      const v = await check();
      if (v !== undefined) return v;
    } catch (err) {
      lastError = ` (last error: ${(err as Error).message})`;
    }
    if (Date.now() > deadline) throw new Error(`${what}: timed out after ${timeoutMs / 1000}s${lastError}${opts.describe?.() ?? ""}`);
    await sleep(opts.intervalMs ?? 200);
  }
}

export interface HealthyOptions {
  /** performance.now() of the spawn. */
  since?: number;
  timeoutMs?: number;
  intervalMs?: number;
  /** False once the process died: stop waiting. */
  alive?: () => boolean;
}

/** Polls until `path` answers 2xx; returns the milliseconds since `since`. */
export async function waitHealthy(
  port: number,
  path: string,
  { since = performance.now(), timeoutMs = 30_000, intervalMs = 2, alive = () => true }: HealthyOptions = {},
): Promise<number> {
  await waitFor(`${path} on :${port}`, timeoutMs, async () => (isSuccess(await probe(port, path)) ? true : undefined), {
    intervalMs,
    abort: () => (alive() ? undefined : "the process exited before it answered"),
  });
  return performance.now() - since;
}

const isSuccess = (status: number) => status >= 200 && status < 300;
