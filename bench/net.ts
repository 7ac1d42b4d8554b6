/** Loopback helpers: free ports (shared with real-stack/) and a readiness probe that costs the prober nothing up front. */
import { request } from "node:http";

export { freePort } from "../toolkit/net.js";

/**
 * One GET on a fresh connection; resolves the status or 0 when nothing answers.
 * node:http (not fetch) because fetch's first call loads undici, which would be
 * counted in the cold start being measured.
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
  /** performance.now() of the spawn. */
  since?: number;
  timeoutMs?: number;
  intervalMs?: number;
  /** False once the process died: stop waiting. */
  alive?: () => boolean;
}

/** Polls until `path` answers 2xx; returns the elapsed milliseconds since `since`. */
export async function waitHealthy(port: number, path: string, options: WaitOptions = {}): Promise<number> {
  const { since = performance.now(), timeoutMs = 30_000, intervalMs = 2, alive = () => true } = options;
  const deadline = since + timeoutMs;
  while (performance.now() < deadline) {
    if (!alive()) throw new Error(`process exited before ${path} on :${port} answered`);
    const status = await probe(port, path);
    if (status >= 200 && status < 300) return performance.now() - since;
    await sleep(intervalMs);
  }
  throw new Error(`${path} on :${port} did not answer 2xx within ${timeoutMs} ms`);
}
