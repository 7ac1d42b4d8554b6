/**
 * What a scenario sees of one running taskfn, whatever runs it: the local
 * stand-in (`npm start`) or real daprd + Kafka. The scenarios are written
 * once against this; each target shows what reached its topics its own way.
 */
import type { LogEntry } from "../toolkit/log-book.js";

/** One message on a topic: the Kafka record (real) or what the stand-in's broker accepted. */
export interface TopicRecord {
  topic: string;
  /** The Kafka message key. */
  key: string | undefined;
  /** The message body as published: a structured CloudEvent, as JSON text. */
  value: string;
}

/** The token pair between an instance and its sidecar. */
export interface DaprTokens {
  /** What the app presents to its sidecar (DAPR_API_TOKEN). */
  daprApiToken: string;
  /** What the sidecar presents to the app (APP_API_TOKEN). */
  appApiToken: string;
}

/** An instance's own daprd, to take it down and bring it back. */
export interface SidecarSwitch {
  stop(): Promise<void>;
  start(): Promise<void>;
}

export interface Instance {
  /** `create-task`, or `on-reminder-due#2` for a second replica. */
  name: string;
  /** The function itself, bypassing gateway and sidecar. */
  appUrl: string;
  /** The Dapr HTTP API this instance talks to (the stand-in serves every app on one). */
  daprUrl: string;
  /** Where the suite holds them (see TargetDriver.holdsTokens). */
  tokens?: DaprTokens;
  /** Where the instance has a daprd of its own (see TargetDriver.sidecarPerInstance). */
  sidecar?: SidecarSwitch;
}

export interface Target {
  gatewayUrl: string;
  /** The database the functions use, for checking the outbox. */
  databaseUrl: string;
  /** A bearer token the HTTP functions accept for this user. */
  mintToken(userId: string): Promise<string>;
  instances(appId: string): readonly Instance[];
  records(topic: string): Promise<readonly TopicRecord[]>;
  logs(): readonly LogEntry[];
  stop(): Promise<void>;
}

/** Everything a target needs from the suite. */
export interface TargetContext {
  /** An empty database on the suite's PostgreSQL; the target migrates it. */
  databaseUrl: string;
  /** Where the reminder-webhook binding must post. */
  reminderWebhookUrl: string;
}

export interface TargetDriver {
  name: string;
  /** The suite holds every instance's token pair: it can publish, invoke and authenticate as the app. */
  holdsTokens: boolean;
  /** Every instance has a daprd of its own that the suite can stop and start. */
  sidecarPerInstance: boolean;
  /** How many onReminderDue instances (each ticked by its cron) the target runs. */
  reminderInstances: number;
  start(context: TargetContext): Promise<Target>;
}

/** The scenarios that call these run only on targets whose driver promises them. */
export function tokensOf(instance: Instance): DaprTokens {
  if (!instance.tokens) throw new Error(`the suite holds no Dapr tokens of ${instance.name} on this target`);
  return instance.tokens;
}

export function sidecarOf(instance: Instance): SidecarSwitch {
  if (!instance.sidecar) throw new Error(`${instance.name} has no sidecar of its own on this target`);
  return instance.sidecar;
}
