/** Reading and making the CloudEvents the scenarios look for on the topics. */
import { randomUUID } from "node:crypto";
import type { TopicRecord } from "./target.js";

export interface WireCloudEvent {
  specversion: string;
  id: string;
  type: string;
  source: string;
  subject?: string;
  data?: unknown;
  [extension: string]: unknown;
}

export function cloudEventOf(record: TopicRecord): WireCloudEvent {
  return JSON.parse(record.value) as WireCloudEvent;
}

/** The records whose CloudEvent has this type and one of these subjects (task ids). */
export function withSubjects(records: readonly TopicRecord[], type: string, subjects: readonly string[]): TopicRecord[] {
  return records.filter((record) => {
    const event = cloudEventOf(record);
    return event.type === type && event.subject !== undefined && subjects.includes(event.subject);
  });
}

/** A structured CloudEvent as a producer other than taskfn's functions would write it. */
export function handMadeEvent(type: string, subject: string, data: unknown): WireCloudEvent {
  return {
    specversion: "1.0",
    id: randomUUID(),
    source: "/taskfn/e2e",
    type,
    subject,
    datacontenttype: "application/json",
    time: new Date().toISOString(),
    data,
  };
}
