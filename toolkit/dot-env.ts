/**
 * `.env` at the repository root, read when present (as Node's --env-file
 * would, but a missing file is fine: Node 20 has no --env-file-if-exists).
 * A variable already set in the environment wins over the file.
 * `.env.example` lists what can go there.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "./paths.js";

export function loadDotEnv(file = join(ROOT, ".env")): void {
  if (!existsSync(file)) return;
  const before = { ...process.env };
  process.loadEnvFile(file);
  Object.assign(process.env, before);
}
