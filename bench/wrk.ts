/**
 * Runs wrk (a C load generator: a Node one saturates its own core first) with a
 * Lua script from bench/lua, and reads back the script's BENCH_RESULT line plus
 * wrk's own CPU time, so the table can show the generator was not the limit.
 */
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { fileURLToPath } from "node:url";
import { CLOCK_TICKS, parseCpuTicks } from "./proc-stat.js";

export const LUA_DIR = fileURLToPath(new URL("./lua", import.meta.url));

export interface WrkOptions {
  url: string;
  /** File name in bench/lua. */
  script: string;
  connections: number;
  durationS: number;
  /** Read by the script with os.getenv. */
  env?: Record<string, string>;
}

export interface WrkResult {
  requests: number;
  rps: number;
  /** Milliseconds. */
  p50: number;
  p99: number;
  max: number;
  errors: { status: number; body: number; socket: number };
  /** wrk's user + system CPU over the run, in % of one core. */
  wrkCpu: number;
}

interface LuaReport {
  requests: number;
  durationUs: number;
  badStatus: number;
  badBody: number;
  socket: number;
  p50Us: number;
  p99Us: number;
  maxUs: number;
}

// The shell waits for wrk, so its cutime/cstime (fields of /proc/$$/stat) are
// exactly wrk's CPU time: printed after wrk's own output.
const SHELL = 'wrk "$@"; rc=$?; echo "BENCH_SHELL_STAT $(cat /proc/$$/stat)"; exit $rc';

export function runWrk({ url, script, connections, durationS, env = {} }: WrkOptions): Promise<WrkResult> {
  const args = ["-t1", `-c${connections}`, `-d${durationS}s`, "--timeout", "10s", "-s", `${LUA_DIR}/${script}`, url];
  const childEnv = { ...process.env, ...env, BENCH_LUA_DIR: LUA_DIR, BENCH_RUN_ID: randomBytes(4).toString("hex") };
  return new Promise((resolve, reject) => {
    execFile("sh", ["-c", SHELL, "wrk", ...args], { env: childEnv, timeout: (durationS + 30) * 1000 }, (error, stdout, stderr) => {
      const report = /^BENCH_RESULT (.*)$/m.exec(stdout)?.[1];
      const stat = /^BENCH_SHELL_STAT (.*)$/m.exec(stdout)?.[1];
      if (error || !report || !stat) {
        reject(new Error(`wrk failed (${error?.message ?? "no result line"}):\n${stdout}\n${stderr}`));
        return;
      }
      const r = JSON.parse(report) as LuaReport;
      const seconds = r.durationUs / 1e6;
      resolve({
        requests: r.requests,
        rps: r.requests / seconds,
        p50: r.p50Us / 1000,
        p99: r.p99Us / 1000,
        max: r.maxUs / 1000,
        errors: { status: r.badStatus, body: r.badBody, socket: r.socket },
        wrkCpu: (100 * parseCpuTicks(stat).children) / CLOCK_TICKS / seconds,
      });
    });
  });
}
