import { existsSync, readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { FUNCTIONS, functionFolder } from "./catalog.js";

const here = new URL("./", import.meta.url);
const folders = readdirSync(here, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name)
  .sort();

describe("the catalog", () => {
  it("lists every folder under functions/, and each function lives in the folder named by its app id", () => {
    expect(FUNCTIONS.map(functionFolder).sort()).toEqual(folders);
  });

  it.each(folders)("%s has a definition, a handler, a main.ts and a test of its own", (folder) => {
    for (const file of ["definition.ts", "handler.ts", "main.ts", `${folder}.test.ts`]) {
      expect(existsSync(new URL(`${folder}/${file}`, here)), `functions/${folder}/${file}`).toBe(true);
    }
  });
});
