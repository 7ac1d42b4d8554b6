/**
 * What every target needs around its processes: a scratch folder and a log
 * book, both cleaned up when the target stops or fails to start, and the log
 * file named in a start-up failure.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DEV_DATA_DIR } from "../toolkit/paths.js";
import { createLogBook, type LogBook } from "../toolkit/log-book.js";
import type { Target } from "./target.js";

export interface Workspace {
  dataDir: string;
  logs: LogBook;
}

/** Runs `start` in a fresh workspace; the logs go to `.data/e2e/<logName>.log`. */
export async function inWorkspace(logName: string, start: (workspace: Workspace) => Promise<Target>): Promise<Target> {
  const dataDir = await mkdtemp(join(tmpdir(), "taskfn-e2e-"));
  const logs = createLogBook(join(DEV_DATA_DIR, "e2e", `${logName}.log`));
  const cleanUp = async () => {
    await logs.close();
    await rm(dataDir, { recursive: true, force: true });
  };
  let target: Target;
  try {
    target = await start({ dataDir, logs });
  } catch (error) {
    await cleanUp();
    throw new Error(`${(error as Error).message}\n(every process's output: ${logs.file})`, { cause: error });
  }
  return {
    ...target,
    async stop() {
      try {
        await target.stop();
      } finally {
        await cleanUp();
      }
    },
  };
}
