/**
 * Checks up front that every port `npm start` needs is free, so a second
 * `npm start` (or anything else on 8080) fails with one clear line instead of
 * ten crashing functions.
 */
import { createServer } from "node:net";

export interface PortClaim {
  port: number;
  /** What wants it, for the message: `gateway`, `create-task`… */
  owner: string;
}

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once("error", () => resolve(false));
    probe.listen(port, "127.0.0.1", () => probe.close(() => resolve(true)));
  });
}

export async function assertPortsFree(claims: readonly PortClaim[]): Promise<void> {
  const taken = (await Promise.all(claims.map(async (claim) => ((await isFree(claim.port)) ? [] : [claim])))).flat();
  if (taken.length === 0) return;
  const list = taken.map((c) => `${c.port} (${c.owner})`).join(", ");
  throw new Error(`Port ${list} ${taken.length === 1 ? "is" : "are"} already in use. Is another npm start running? Stop it, or free the port.`);
}
