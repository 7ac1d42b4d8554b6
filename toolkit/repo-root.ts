import { fileURLToPath } from "node:url";

/** The repository root: where git, esbuild's metafile and the Dockerfile's paths start. */
export const ROOT = fileURLToPath(new URL("..", import.meta.url));
