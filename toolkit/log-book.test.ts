import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createLogBook } from "./log-book.js";

describe("createLogBook", () => {
  const book = () => createLogBook(join(mkdtempSync(join(tmpdir(), "taskfn-log-book-")), "run.log"));

  it("writes every line to its file and keeps the JSON ones with the instance that printed them", async () => {
    const logs = book();
    logs.add("create-task", '{"level":"info","msg":"listening"}');
    logs.add("daprd", "time=now level=info msg=ready");
    await logs.close();
    expect(readFileSync(logs.file, "utf8")).toBe('[create-task] {"level":"info","msg":"listening"}\n[daprd] time=now level=info msg=ready\n');
    expect(logs.entries()).toEqual([{ level: "info", msg: "listening", instance: "create-task" }]);
  });

  it("ignores a line that arrives after it was closed instead of failing the test that is running", async () => {
    const logs = book();
    logs.add("kafka", "shutting down");
    const closing = logs.close();
    logs.add("kafka", "shut down completed");
    await closing;
    await new Promise((resolve) => setImmediate(resolve));
    expect(readFileSync(logs.file, "utf8")).toBe("[kafka] shutting down\n");
  });
});
