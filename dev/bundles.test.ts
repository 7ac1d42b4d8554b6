import { appendFile, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { relayOutbox } from "../functions/relay-outbox/definition.js";
import { ensureBundles } from "./bundles.js";

let outdir: string;
beforeAll(async () => {
  outdir = await mkdtemp(join(tmpdir(), "taskfn-bundles-"));
});
afterAll(() => rm(outdir, { recursive: true, force: true }));

describe("ensureBundles", () => {
  it("builds the first time, then reuses bundles built from the current sources", async () => {
    const first = await ensureBundles(outdir, [relayOutbox]);
    expect(first).toMatchObject({ built: true, paths: new Map([["relay-outbox", join(outdir, "relay-outbox", "index.mjs")]]) });
    expect(await ensureBundles(outdir, [relayOutbox])).toMatchObject({ built: false });
  });

  it("builds again when the sources differ from those of the last build", async () => {
    await writeFile(join(outdir, ".sources.sha256"), "the hash of other sources");
    expect(await ensureBundles(outdir, [relayOutbox])).toMatchObject({ built: true });
  });

  it("builds again when a bundle was changed or removed since", async () => {
    await appendFile(join(outdir, "relay-outbox", "index.mjs"), "\n// edited\n");
    expect(await ensureBundles(outdir, [relayOutbox])).toMatchObject({ built: true });
    await rm(join(outdir, "relay-outbox", "meta.json"));
    expect(await ensureBundles(outdir, [relayOutbox])).toMatchObject({ built: true });
    expect(await ensureBundles(outdir, [relayOutbox])).toMatchObject({ built: false });
  });
});
