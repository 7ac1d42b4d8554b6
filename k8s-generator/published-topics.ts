/**
 * Which topics each function publishes to, read from its handler: a function
 * publishes the topic of every `taskfnEvent("<type>", …)` it emits (through its
 * outbox, right after the commit), and the outbox relay republishes whatever
 * the outbox holds, so every event topic. The Kafka ACLs grant exactly this.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { FunctionDefinition } from "../runtime/types.js";
import { EVENT_TYPES, type EventType } from "../tasks/events.js";
import { ROOT } from "../toolkit/paths.js";

const EMITS = /taskfnEvent\(\s*"([^"]+)"/g;
/** The relay's handler is the one that drains the outbox (it leases waiting events by key). */
const RELAYS = /\bclaimKeys\b/;

export function publishedTopics({ appId }: FunctionDefinition): string[] {
  const source = readFileSync(join(ROOT, "functions", appId, "handler.ts"), "utf8");
  const types: string[] = RELAYS.test(source) ? Object.keys(EVENT_TYPES) : [...source.matchAll(EMITS)].map((m) => m[1]!);
  const topics = types.map((type) => {
    if (!(type in EVENT_TYPES)) throw new Error(`functions/${appId}/handler.ts emits ${type}, which tasks/events.ts does not define`);
    return EVENT_TYPES[type as EventType].topic;
  });
  return [...new Set(topics)].sort();
}
