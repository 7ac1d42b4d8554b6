/**
 * The in-memory stand-in for the Kafka topics. Each subscribing app has its own
 * lane per (pubsub, topic, partition key), like a Kafka partition owned by that
 * app's consumer group: one message in flight per lane, in publish order, lanes
 * in parallel. Unlike Kafka, two keys never share a lane, so one stuck user
 * never delays another.
 */
import type { Logger } from "pino";
import type { Envelope } from "./envelope.js";
import type { Subscription } from "./subscriptions.js";

export interface Message {
  pubsub: string;
  topic: string;
  /** `metadata.partitionKey` of the publish; without one every message is its own lane. */
  partitionKey: string | undefined;
  envelope: Envelope;
}

/** Settles when the message is done with: acknowledged, dropped or dead-lettered. */
export type Deliver = (subscription: Subscription, message: Message) => Promise<void>;

export interface Broker {
  addSubscriptions(subscriptions: readonly Subscription[]): void;
  subscriptions(): readonly Subscription[];
  /** Queues the message for every subscription of its topic; false when the queues are full. */
  publish(message: Message): boolean;
  /** Messages queued or in flight. */
  pending(): number;
}

export interface BrokerOptions {
  deliver: Deliver;
  log: Logger;
  /** Bound on messages queued across all lanes. */
  maxPending?: number;
}

export function createBroker({ deliver, log, maxPending = 10_000 }: BrokerOptions): Broker {
  const subscriptions: Subscription[] = [];
  const lanes = new Map<string, Message[]>();
  let pending = 0;

  async function drain(lane: string, subscription: Subscription, queue: Message[]): Promise<void> {
    for (let message = queue[0]; message; message = queue[0]) {
      // deliver() settles every outcome itself; a throw here is a stand-in bug, not an app failure.
      await deliver(subscription, message).catch((err: unknown) => log.error({ err, topic: message.topic }, "delivery crashed"));
      queue.shift();
      pending--;
    }
    lanes.delete(lane);
  }

  return {
    addSubscriptions(added) {
      subscriptions.push(...added);
    },
    subscriptions: () => subscriptions,
    publish(message) {
      const targets = subscriptions.filter((s) => s.pubsubname === message.pubsub && s.topic === message.topic);
      if (pending + targets.length > maxPending) return false;
      const key = message.partitionKey ?? String(message.envelope.id);
      for (const subscription of targets) {
        const lane = JSON.stringify([subscription.appId, message.pubsub, message.topic, key]);
        pending++;
        const queue = lanes.get(lane);
        if (queue) {
          queue.push(message);
          continue;
        }
        const fresh = [message];
        lanes.set(lane, fresh);
        void drain(lane, subscription, fresh);
      }
      return true;
    },
    pending: () => pending,
  };
}
