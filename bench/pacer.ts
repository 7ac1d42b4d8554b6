/**
 * An open-loop load generator for modest fixed rates (wrk2 is not available and
 * wrk is closed-loop): request i is sent at start + i / rate whatever happened to
 * the earlier ones, up to a bound on requests in flight; bounded in time too.
 */
import { Agent, request } from "node:http";
import { sleep } from "../toolkit/net.js";

export interface PacedRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
}

export interface PacedResponse {
  status: number;
  /** performance.now() when the response ended; undefined if it never came. */
  at?: number;
}

export interface PaceOptions {
  port: number;
  rate: number;
  requests: PacedRequest[];
  maxInFlight?: number;
  /** Gives up on responses this long after the last request was due. */
  graceMs?: number;
}

export interface PaceResult {
  responses: PacedResponse[];
  /** Requests sent more than 50 ms after their time because maxInFlight was reached. */
  late: number;
  /** Actual send rate, requests per second. */
  achievedRate: number;
}

function send(agent: Agent, port: number, { method, path, headers }: PacedRequest): Promise<PacedResponse> {
  return new Promise((resolve) => {
    const req = request({ agent, host: "127.0.0.1", port, method, path, headers: { ...headers, "content-length": 0 } }, (res) => {
      res.resume();
      res.on("end", () => resolve({ status: res.statusCode ?? 0, at: performance.now() }));
    });
    req.on("error", () => resolve({ status: 0 }));
    req.end();
  });
}

export async function pace({ port, rate, requests, maxInFlight = 256, graceMs = 30_000 }: PaceOptions): Promise<PaceResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: maxInFlight });
  const responses: Promise<PacedResponse>[] = [];
  let inFlight = 0;
  let late = 0;
  const start = performance.now();
  for (const [i, req] of requests.entries()) {
    const due = start + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait >= 1) await sleep(wait);
    while (inFlight >= maxInFlight) await sleep(1);
    if (performance.now() - due > 50) late++;
    inFlight++;
    responses.push(send(agent, port, req).finally(() => inFlight--));
  }
  const sentIn = (performance.now() - start) / 1000;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)));
  await Promise.race([Promise.all(responses), timeout]);
  clearTimeout(timer);
  // Whatever is still pending fails now (status 0) instead of holding the run.
  agent.destroy();
  return { responses: await Promise.all(responses), late, achievedRate: requests.length / sentIn };
}
