/**
 * The committed k8s/base/generated/ and k8s/components/ are exactly what
 * `npm run k8s:generate` produces from the catalog, tasks/events.ts and dapr/:
 * a function, topic or Dapr setting changed without regenerating fails here.
 */
import { expect, it } from "vitest";
import { committedFiles, generatedFiles } from "../k8s-generator/generated-files.js";

it("k8s/base/generated and k8s/components are up to date (else run `npm run k8s:generate`)", async () => {
  const [wanted, committed] = await Promise.all([generatedFiles(), committedFiles()]);
  expect(committed.map((file) => file.path)).toEqual(wanted.map((file) => file.path));
  for (const file of wanted) {
    expect(committed.find((c) => c.path === file.path)?.text, file.path).toBe(file.text);
  }
});
