/** Loopback helpers: free ports, reachability, and bounded waiting. */
import { request } from "node:http";
import { createConnection, createServer } from "node:net";

const handedOut = new Set<number>();

/** A currently free TCP port on 127.0.0.1 (never the same one twice per process, to avoid self-collisions). */
export async function freePort(): Promise<number> {
  for (;;) {
    const port = await new Promise<number>((resolve, reject) => {
      const srv = createServer();
      srv.unref();
      srv.once("error", reject);
      srv.listen(0, "127.0.0.1", () => {
        const addr = srv.address();
        srv.close(() => (typeof addr === "object" && addr ? resolve(addr.port) : reject(new Error("no port"))));
      });
    });
    if (!handedOut.has(port)) {
      handedOut.add(port);
      return port;
    }
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
