import { describe, expect, it } from "vitest";
import { readReadme, replaceFunctionsTable } from "./functions-table.js";

describe("README functions table", () => {
  it("matches the function catalog (run `npm run docs` after changing a definition)", async () => {
    const readme = await readReadme();
    expect(replaceFunctionsTable(readme)).toBe(readme);
  });
});
