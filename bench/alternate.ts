/**
 * The measuring loop: warm every contender up, then run them one after the other,
 * round after round, starting each round one contender later, so that machine
 * drift (other load, caches, the database growing) lands on all of them alike.
 */
import { CLOCK_TICKS } from "./proc-stat.js";
import type { Service } from "./service.js";
import { runWrk, type WrkOptions, type WrkResult } from "./wrk.js";

export interface Contender {
  name: string;
  service: Service;
  /** The one the others are divided by. */
  baseline?: boolean;
  /** Extra environment for the wrk script (e.g. the route the server announced). */
  luaEnv?: Record<string, string>;
}

export interface Sample extends WrkResult {
  /** The server process's CPU over the run, in % of one core. */
  serverCpu: number;
}

export interface Measured {
  contender: Contender;
  samples: Sample[];
  /** Errors seen while warming up: they fail the run like any other. */
  warmupErrors: WrkResult["errors"];
}

export interface AlternateOptions {
  label: string;
  contenders: Contender[];
  rounds: number;
  warmupS: number;
  durationS: number;
  load: Omit<WrkOptions, "url" | "durationS">;
  log: (line: string) => void;
}

async function measure(contender: Contender, load: AlternateOptions["load"], durationS: number): Promise<Sample> {
  const before = contender.service.cpuTicks();
  const result = await runWrk({
    ...load,
    url: `http://127.0.0.1:${contender.service.port}`,
    durationS,
    env: { ...load.env, ...contender.luaEnv },
  });
  const ticks = contender.service.cpuTicks() - before;
  return { ...result, serverCpu: (100 * ticks) / CLOCK_TICKS / durationS };
}

const errorCount = (e: WrkResult["errors"]) => e.status + e.body + e.socket;

export async function alternate({ label, contenders, rounds, warmupS, durationS, load, log }: AlternateOptions): Promise<Measured[]> {
  const measured = contenders.map((contender) => ({ contender, samples: [] as Sample[], warmupErrors: { status: 0, body: 0, socket: 0 } }));
  for (const m of measured) {
    log(`${label} · warm-up · ${m.contender.name}`);
    m.warmupErrors = (await measure(m.contender, load, warmupS)).errors;
  }
  for (let round = 0; round < rounds; round++) {
    for (let i = 0; i < measured.length; i++) {
      const m = measured[(round + i) % measured.length]!;
      const sample = await measure(m.contender, load, durationS);
      m.samples.push(sample);
      const errors = errorCount(sample.errors);
      log(
        `${label} · round ${round + 1}/${rounds} · ${m.contender.name}: ${sample.rps.toFixed(0)} req/s, p99 ${sample.p99.toFixed(1)} ms, ` +
          `wrk CPU ${sample.wrkCpu.toFixed(0)}%, server CPU ${sample.serverCpu.toFixed(0)}%${errors ? `, ${errors} ERRORS` : ""}`,
      );
    }
  }
  return measured;
}
