/**
 * Reads Dapr resource files the way daprd's `--resources-path` does: every
 * `.yaml`/`.yml` file directly in each folder (not in subfolders), each file
 * possibly holding several `---`-separated documents. A document without a
 * `kind` is not a Dapr resource (e.g. dapr/dapr.yaml, the CLI's run file) and
 * is skipped, as daprd skips it.
 */
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";

export interface ResourceDocument {
  kind: string;
  /** The whole document as parsed. */
  body: Record<string, unknown>;
  /** Where it came from, for error messages. */
  file: string;
}

export async function readResources(dirs: readonly string[]): Promise<ResourceDocument[]> {
  const documents: ResourceDocument[] = [];
  for (const dir of dirs) {
    const entries = await readdir(dir, { withFileTypes: true });
    const files = entries
      .filter((e) => e.isFile() && /\.ya?ml$/.test(e.name))
      .map((e) => join(dir, e.name))
      .sort();
    for (const file of files) {
      for (const doc of parseAllDocuments(await readFile(file, "utf8"))) {
        if (doc.errors.length > 0) throw new Error(`${file}: ${doc.errors[0]!.message}`);
        const body: unknown = doc.toJS();
        const kind = body && typeof body === "object" ? (body as { kind?: unknown }).kind : undefined;
        if (typeof kind === "string") documents.push({ kind, body: body as Record<string, unknown>, file });
      }
    }
  }
  return documents;
}
