import { describe, expect, it } from "vitest";
import { createBroker, type Message } from "./broker.js";
import { toSubscription, type Subscription } from "./subscriptions.js";
import { eventually, silentLog } from "./test-support.js";

const subscriptionOf = (appId: string, topic = "tasks") => toSubscription(appId, { pubsubname: "pubsub", topic, route: "/events" });
const message = (key: string | undefined, n: number, topic = "tasks"): Message => ({
  pubsub: "pubsub",
  topic,
  partitionKey: key,
  envelope: { id: `${key}-${n}`, n },
});

/** A deliver() whose calls stay open until released, to observe what is in flight. */
function gatedDeliveries() {
  const inFlight: { app: string; id: string; release(): void }[] = [];
  const done: { app: string; id: string }[] = [];
  const deliver = (subscription: Subscription, m: Message) =>
    new Promise<void>((resolve) => {
      const entry = { app: subscription.appId, id: String(m.envelope.id) };
      inFlight.push({
        ...entry,
        release: () => (
          inFlight.splice(
            inFlight.findIndex((f) => f.id === entry.id && f.app === entry.app),
            1,
          ),
          done.push(entry),
          resolve()
        ),
      });
    });
  return { deliver, inFlight, done };
}

describe("createBroker", () => {
  it("delivers one message per partition key at a time, in publish order", async () => {
    const gate = gatedDeliveries();
    const broker = createBroker({ deliver: gate.deliver, log: silentLog });
    broker.addSubscriptions([subscriptionOf("a")]);
    for (let n = 1; n <= 3; n++) expect(broker.publish(message("alice", n))).toBe(true);
    await eventually(() => gate.inFlight.length === 1);
    for (let n = 1; n <= 3; n++) {
      expect(gate.inFlight.map((f) => f.id)).toEqual([`alice-${n}`]);
      gate.inFlight[0]!.release();
      await eventually(() => gate.done.length === n && (n === 3 || gate.inFlight.length === 1));
    }
    expect(gate.done.map((d) => d.id)).toEqual(["alice-1", "alice-2", "alice-3"]);
    await eventually(() => broker.pending() === 0);
  });

  it("delivers different keys, and different subscribing apps, in parallel", async () => {
    const gate = gatedDeliveries();
    const broker = createBroker({ deliver: gate.deliver, log: silentLog });
    broker.addSubscriptions([subscriptionOf("a"), subscriptionOf("b")]);
    broker.publish(message("alice", 1));
    broker.publish(message("alice", 2));
    broker.publish(message("bob", 1));
    await eventually(() => gate.inFlight.length === 4);
    expect(gate.inFlight.map((f) => `${f.app}:${f.id}`).sort()).toEqual(["a:alice-1", "a:bob-1", "b:alice-1", "b:bob-1"]);
    expect(broker.pending()).toBe(6);
  });

  it("gives a message without partition key a lane of its own", async () => {
    const gate = gatedDeliveries();
    const broker = createBroker({ deliver: gate.deliver, log: silentLog });
    broker.addSubscriptions([subscriptionOf("a")]);
    broker.publish(message(undefined, 1));
    broker.publish(message(undefined, 2));
    await eventually(() => gate.inFlight.length === 2);
  });

  it("only delivers to subscriptions of the message's pubsub and topic", async () => {
    const gate = gatedDeliveries();
    const broker = createBroker({ deliver: gate.deliver, log: silentLog });
    broker.addSubscriptions([subscriptionOf("a", "reminders")]);
    expect(broker.publish(message("alice", 1, "tasks"))).toBe(true);
    expect(broker.pending()).toBe(0);
  });

  it("refuses a message when its deliveries would exceed the bound", () => {
    const gate = gatedDeliveries();
    const broker = createBroker({ deliver: gate.deliver, log: silentLog, maxPending: 3 });
    broker.addSubscriptions([subscriptionOf("a"), subscriptionOf("b")]);
    expect(broker.publish(message("alice", 1))).toBe(true);
    expect(broker.publish(message("alice", 2))).toBe(false);
    expect(broker.pending()).toBe(2);
  });

  it("moves on to the next message when a delivery crashes", async () => {
    const delivered: string[] = [];
    const broker = createBroker({
      log: silentLog,
      deliver: async (_s, m) => {
        if (m.envelope.n === 1) throw new Error("bug");
        delivered.push(String(m.envelope.id));
      },
    });
    broker.addSubscriptions([subscriptionOf("a")]);
    broker.publish(message("alice", 1));
    broker.publish(message("alice", 2));
    await eventually(() => delivered.length === 1);
    expect(delivered).toEqual(["alice-2"]);
  });
});
