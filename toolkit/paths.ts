/** Where things are, from the repository root. */
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root: where git, esbuild's metafile and the Dockerfile's paths start. */
export const ROOT = fileURLToPath(new URL("..", import.meta.url));

/** Embedded PostgreSQL data and the dev JWT secret (gitignored). */
export const DEV_DATA_DIR = join(ROOT, ".data");
/** The Dapr resource files real daprd and the stand-in both read. */
export const DAPR_DIR = join(ROOT, "dapr");
