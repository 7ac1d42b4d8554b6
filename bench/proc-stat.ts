/** What Linux's /proc says about a process: CPU time and resident memory. */
import { readFileSync } from "node:fs";

/** Kernel clock ticks per second (`getconf CLK_TCK`); 100 on every Linux this runs on. */
export const CLOCK_TICKS = 100;

export interface CpuTicks {
  /** utime + stime of the process itself. */
  self: number;
  /** cutime + cstime: the children it has waited for. */
  children: number;
}

/** Parses /proc/<pid>/stat text (passed as text so a shell can hand it over after its child exited). */
export function parseCpuTicks(stat: string): CpuTicks {
  // The command name is in parentheses and may hold spaces: count fields after it.
  const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // After comm: state(0) … utime(11) stime(12) cutime(13) cstime(14).
  return { self: Number(f[11]) + Number(f[12]), children: Number(f[13]) + Number(f[14]) };
}

export function cpuTicks(pid: number): number {
  return parseCpuTicks(readFileSync(`/proc/${pid}/stat`, "utf8")).self;
}

/** VmRSS (now) and VmHWM (peak since start), in MiB. */
export function memoryMiB(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+)`, "m").exec(status)?.[1] ?? NaN);
  return { rss: kb("VmRSS") / 1024, peak: kb("VmHWM") / 1024 };
}
