/** Where local development keeps things, relative to the repository root. */
import { fileURLToPath } from "node:url";

const root = (path: string) => fileURLToPath(new URL(`../${path}`, import.meta.url));

/** Embedded PostgreSQL data and the dev JWT secret (gitignored). */
export const DEV_DATA_DIR = root(".data");
/** The Dapr resource files real daprd and the stand-in both read. */
export const DAPR_DIR = root("dapr");

