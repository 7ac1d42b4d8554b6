/** The GitHub workflows pass actionlint (installed by toolkit/tools.sh; skipped, saying so, without it). */
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { expect, it } from "vitest";
import { ROOT } from "../toolkit/paths.js";
import { missingToolMessage, toolForTests } from "../toolkit/tools.js";

const actionlint = toolForTests("actionlint");

if (!actionlint) {
  it.skip(`.github/workflows: ${missingToolMessage("actionlint")}`, () => {});
} else {
  it(".github/workflows pass actionlint", async () => {
    // Without arguments actionlint checks every workflow in .github/workflows.
    const result = await promisify(execFile)(actionlint, ["-no-color"], { cwd: ROOT }).then(
      () => "",
      (error: { stdout?: string; message: string }) => error.stdout || error.message,
    );
    expect(result).toBe("");
  });
}
