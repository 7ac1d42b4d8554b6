import { createServer } from "node:net";
import { describe, expect, it } from "vitest";
import { FREE_PORT_RANGE, freePort } from "./net.js";

describe("freePort", () => {
  it("hands out distinct ports below the kernel's ephemeral range, each one free to listen on", async () => {
    const ports = await Promise.all(Array.from({ length: 20 }, () => freePort()));
    expect(new Set(ports).size).toBe(ports.length);
    for (const port of ports) {
      expect(port).toBeGreaterThanOrEqual(FREE_PORT_RANGE.from);
      expect(port).toBeLessThan(32_768);
      const srv = createServer();
      await new Promise<void>((resolve, reject) => srv.once("error", reject).listen(port, "127.0.0.1", resolve));
      await new Promise<void>((resolve) => srv.close(() => resolve()));
    }
  });
});
