import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { loadDotEnv } from "./dot-env.js";

const dir = mkdtempSync(join(tmpdir(), "taskfn-dot-env-"));
afterEach(() => {
  delete process.env.TASKFN_TEST_FROM_FILE;
  delete process.env.TASKFN_TEST_FROM_SHELL;
});

describe("loadDotEnv", () => {
  it("sets what the file names, and a variable already in the environment keeps its value", () => {
    const file = join(dir, ".env");
    writeFileSync(file, "TASKFN_TEST_FROM_FILE=file\nTASKFN_TEST_FROM_SHELL=file\n");
    process.env.TASKFN_TEST_FROM_SHELL = "shell";
    loadDotEnv(file);
    expect(process.env.TASKFN_TEST_FROM_FILE).toBe("file");
    expect(process.env.TASKFN_TEST_FROM_SHELL).toBe("shell");
  });

  it("does nothing when there is no file", () => {
    expect(() => loadDotEnv(join(dir, "missing.env"))).not.toThrow();
    expect(process.env.TASKFN_TEST_FROM_FILE).toBeUndefined();
  });
});
