/**
 * Summarizes a V8 .cpuprofile (from `node --cpu-prof`): self time by package and
 * the hottest functions, so a profile can be read in a terminal or a report.
 * Usage: npx tsx bench/cpuprofile.ts <file.cpuprofile> [top=25]
 */
import { existsSync, readFileSync } from "node:fs";
import { SourceMap, type SourceMapPayload } from "node:module";
import { fileURLToPath, pathToFileURL } from "node:url";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  hitCount?: number;
  children?: number[];
}

interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** Bundles (dist/<fn>/index.mjs) carry source maps: frames are attributed to their original files. */
const sourceMaps = new Map<string, SourceMap | undefined>();
function originalUrl({ url, lineNumber, columnNumber }: ProfileNode["callFrame"]): string {
  if (!url.startsWith("file://")) return url;
  if (!sourceMaps.has(url)) {
    const mapFile = `${fileURLToPath(url)}.map`;
    sourceMaps.set(url, existsSync(mapFile) ? new SourceMap(JSON.parse(readFileSync(mapFile, "utf8")) as SourceMapPayload) : undefined);
  }
  const entry = sourceMaps.get(url)?.findEntry(lineNumber, columnNumber);
  // Sources are relative to the bundle's folder.
  return entry && "originalSource" in entry ? new URL(entry.originalSource, url).pathname : url;
}

/** `…/node_modules/@prisma/client/…` → `@prisma/client`; our own files by their last two path parts. */
function packageOf(url: string): string {
  if (!url) return "(native / idle / gc)";
  const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (match) return match[1]!;
  if (url.startsWith("node:")) return "node core";
  return url
    .replace(/^file:\/\//, "")
    .split("/")
    .slice(-2)
    .join("/");
}

/** `per`: show busy time (idle left out) in µs per unit of work, e.g. per event, instead of shares of the whole profile. */
export function summarize(profile: Profile, top = 25, per?: number): string {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  // Each sample's duration is the delta to the next one.
  profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i + 1] ?? 0)));
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  const parentOf = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);
  const isCore = (pkg: string) => pkg === "node core" || pkg.startsWith("(");
  /** Time spent in Node's core (sockets, streams, timers) is charged to the package that called into it. */
  const callerPackage = (id: number): string => {
    for (let at: number | undefined = id; at !== undefined; at = parentOf.get(at)) {
      const pkg = packageOf(originalUrl(byId.get(at)!.callFrame));
      if (!isCore(pkg)) return pkg;
    }
    return packageOf(originalUrl(byId.get(id)!.callFrame));
  };
  const byPackage = new Map<string, number>();
  const byCaller = new Map<string, number>();
  const byFunction = new Map<string, number>();
  for (const [id, us] of self) {
    const { callFrame } = byId.get(id)!;
    if (per && callFrame.functionName === "(idle)") continue;
    const pkg = packageOf(originalUrl(callFrame));
    byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + us);
    const caller = callerPackage(id);
    byCaller.set(caller, (byCaller.get(caller) ?? 0) + us);
    const name = `${callFrame.functionName || "(anonymous)"} ${callFrame.url ? packageOf(originalUrl(callFrame)) : ""}`;
    byFunction.set(name, (byFunction.get(name) ?? 0) + us);
  }
  const busy = [...byPackage.values()].reduce((a, b) => a + b, 0);
  const pct = per ? (us: number) => `${(us / per).toFixed(1).padStart(7)} µs` : (us: number) => `${((100 * us) / total).toFixed(1).padStart(5)} %`;
  const list = (m: Map<string, number>) =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([k, us]) => `${pct(us)}  ${k}`);
  return [
    per
      ? `busy ${(busy / per).toFixed(0)} µs per unit (${(busy / 1e6).toFixed(2)} s of ${(total / 1e6).toFixed(2)} s sampled)`
      : `total sampled ${(total / 1e6).toFixed(2)} s`,
    "",
    "self time by file/package:",
    ...list(byPackage),
    "",
    "self time with Node core charged to its caller:",
    ...list(byCaller),
    "",
    "hottest functions (self):",
    ...list(byFunction),
  ].join("\n");
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [file, top] = process.argv.slice(2);
  if (!file) throw new Error("usage: tsx bench/cpuprofile.ts <file.cpuprofile> [top]");
  console.log(summarize(JSON.parse(readFileSync(file, "utf8")) as Profile, Number(top ?? 25)));
}
