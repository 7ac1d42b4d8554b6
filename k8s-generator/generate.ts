/**
 * `npm run k8s:generate`: writes k8s/base/generated/ and k8s/components/ from
 * the function catalog, tasks/events.ts and dapr/, and deletes what it no longer
 * produces. Commit the result; k8s/generated.test.ts checks it is current.
 */
import { mkdir, rm, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { committedFiles, generatedFiles } from "./generated-files.js";
import { ROOT } from "../toolkit/paths.js";

const wanted = await generatedFiles();
const keep = new Set(wanted.map((file) => file.path));
for (const stale of (await committedFiles()).filter((file) => !keep.has(file.path))) {
  await rm(join(ROOT, stale.path));
  console.log(`removed ${stale.path}`);
}
for (const file of wanted) {
  await mkdir(dirname(join(ROOT, file.path)), { recursive: true });
  await writeFile(join(ROOT, file.path), file.text);
}
console.log(`wrote ${wanted.length} files`);
