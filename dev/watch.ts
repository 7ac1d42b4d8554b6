/**
 * `npm run dev`'s watcher: on a saved change, what the change touches and
 * nothing else. A function is rebuilt and restarted when the file is one of its
 * bundle's inputs, as esbuild's metafile lists them (toolkit/bundle-inputs.ts:
 * the same graph `npm run affected` decides images from); a new migration is
 * applied; a change under dapr/ restarts the stand-in, which reads its
 * resources at start. PostgreSQL, the gateway and every other function keep
 * running. Changes are gathered until the tree is quiet for `debounceMs` (an
 * editor's save is several events) and handled one batch at a time.
 */
import { watch, type FSWatcher } from "node:fs";
import { join, sep } from "node:path";
import type { FunctionDefinition } from "../runtime/types.js";
import { buildFunctions } from "../toolkit/build.js";
import { functionBundles } from "../toolkit/bundle-inputs.js";

export interface WatchOptions {
  /** The source tree the bundles are built from. */
  root: string;
  outdir: string;
  functions: readonly FunctionDefinition[];
  /** Restarts these functions on their new bundles and resolves once they are ready. */
  restartFunctions(appIds: readonly string[]): Promise<void>;
  /** Applies the migrations not applied yet; resolves with their names. */
  migrate(): Promise<string[]>;
  restartStandIn(): Promise<void>;
  print(line: string): void;
  debounceMs?: number;
}

export interface Watching {
  close(): Promise<void>;
}

const MIGRATIONS = "prisma/migrations/";
const DAPR = "dapr/";
// The gateway's routes and the stand-in's subscriptions are read from the definitions once, at start.
const READ_AT_START = /(^|\/)(definition|catalog)\.ts$/;

const since = (started: number) => `${Math.round(performance.now() - started)} ms`;

/** The folders holding the bundles' own sources (not node_modules: an install asks for a new start). */
function sourceFolders(inputs: Iterable<string>): Set<string> {
  const folders = new Set<string>();
  for (const input of inputs) {
    const [top, ...rest] = input.split("/");
    if (rest.length > 0 && top !== "node_modules" && top !== "..") folders.add(top!);
  }
  return folders;
}

export async function watchSources(options: WatchOptions): Promise<Watching> {
  const { root, outdir, functions, print, debounceMs = 150 } = options;
  const inputs = new Map((await functionBundles(functions, root)).map((bundle) => [bundle.appId, new Set(bundle.inputs)]));

  async function rebuild(changed: readonly string[]): Promise<void> {
    // Only bundle inputs count: an editor's swap and backup files are nobody's.
    const read = changed.filter((path) => functions.some((f) => inputs.get(f.appId)!.has(path)));
    const touched = functions.filter((f) => read.some((path) => inputs.get(f.appId)!.has(path)));
    if (touched.length === 0) return;
    const names = touched.map((f) => f.appId).join(", ");
    print(`↻ ${read.join(", ")} changed: rebuilding ${names}…`);
    const started = performance.now();
    let built: Awaited<ReturnType<typeof buildFunctions>>;
    try {
      built = await buildFunctions({ root, outdir, functions: touched });
    } catch (error) {
      return print(`✖ build failed; ${names} keep running their previous bundle.\n${(error as Error).message}`);
    }
    for (const bundle of built.functions) inputs.set(bundle.appId, new Set(bundle.inputs));
    const buildMs = since(started);
    await options.restartFunctions(touched.map((f) => f.appId));
    print(`✔ ${names}: rebuilt in ${buildMs}, restarted and ready in ${since(started)}`);
    if (read.some((path) => READ_AT_START.test(path)))
      print("  (the gateway's routes and the stand-in's subscriptions come from the definitions at start: restart npm run dev if those changed)");
  }

  async function handle(changed: readonly string[]): Promise<void> {
    if (changed.some((path) => path.startsWith(MIGRATIONS))) {
      const started = performance.now();
      try {
        const applied = await options.migrate();
        print(applied.length ? `✔ applied ${applied.join(", ")} in ${since(started)}` : "  migrations: nothing new to apply");
      } catch (error) {
        print(`✖ ${(error as Error).message}`);
      }
    }
    if (changed.some((path) => path.startsWith(DAPR))) {
      const started = performance.now();
      await options.restartStandIn();
      print(`✔ dapr/ changed: the Dapr stand-in restarted in ${since(started)} (events it held in memory are gone, as on any stop)`);
    }
    await rebuild(changed);
  }

  let pending = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  let queue = Promise.resolve();
  let closed = false;
  const flush = () => {
    const changed = [...pending].sort();
    pending = new Set();
    // A restart cut short by the stop (Ctrl-C) is no error worth printing.
    queue = queue.then(() => handle(changed)).catch((error: unknown) => void (closed || print(`✖ npm run dev: ${(error as Error).message}`)));
  };
  const folders = [...sourceFolders([...inputs.values()].flatMap((set) => [...set])), MIGRATIONS.slice(0, -1), DAPR.slice(0, -1)];
  const watchers: FSWatcher[] = folders.map((folder) =>
    watch(join(root, folder), { recursive: true }, (_event, file) => {
      if (!file) return;
      pending.add(`${folder}/${file.split(sep).join("/")}`);
      clearTimeout(timer);
      timer = setTimeout(flush, debounceMs);
    }),
  );
  print(`Watching ${folders.map((f) => `${f}/`).join(", ")} (npm run dev): a saved change rebuilds and restarts only what it touches.`);

  return {
    async close() {
      closed = true;
      clearTimeout(timer);
      for (const watcher of watchers) watcher.close();
      await queue;
    },
  };
}
