import { describe, expect, it } from "vitest";
import { TOPIC_FUNCTIONS } from "../../functions/catalog.js";
import { OTHER_EVENTS_PATH, eventTypesOf, subscriberPath, toSubscription as daprSubscriptionOf } from "../../runtime/topic-trigger.js";
import { createRouter } from "./router.js";
import { toSubscription } from "./subscriptions.js";

describe("createRouter", () => {
  const router = createRouter([
    { match: 'event.type == "task.completed"', path: "/completed" },
    { match: 'event.type.startsWith("task.") && event.data.priority == "high"', path: "/urgent" },
    { match: 'event.type.startsWith("task.")', path: "/any-task" },
  ]);

  it("takes the first rule whose CEL match is true", () => {
    expect(router({ type: "task.completed", data: { priority: "high" } })).toBe("/completed");
    expect(router({ type: "task.created", data: { priority: "high" } })).toBe("/urgent");
    expect(router({ type: "task.created", data: { priority: "low" } })).toBe("/any-task");
  });

  it("routes nowhere when nothing matches and there is no default", () => {
    expect(router({ type: "reminder.due", data: {} })).toBeUndefined();
  });

  it("falls back to a rule without match (the default route)", () => {
    expect(
      createRouter([
        { match: 'event.type == "a"', path: "/a" },
        { match: "", path: "/default" },
      ])({ type: "b" }),
    ).toBe("/default");
  });

  it("fails on an expression that is not boolean or cannot be evaluated", () => {
    expect(() => createRouter([{ match: "event.type", path: "/x" }])({ type: "a" })).toThrow(/not a boolean/);
    expect(() => createRouter([{ match: 'event.missing == "a"', path: "/x" }])({ type: "a" })).toThrow(/No such key/);
  });

  it("refuses an expression that does not parse", () => {
    expect(() => createRouter([{ match: "event.type ==", path: "/x" }])).toThrow();
  });
});

describe("toSubscription", () => {
  it("reads taskfn's own subscriptions: the function's event types to its handler, the topic's other types to the default route", () => {
    for (const definition of TOPIC_FUNCTIONS) {
      const subscription = toSubscription(definition.appId, daprSubscriptionOf(definition));
      expect(subscription).toMatchObject({ appId: definition.appId, topic: definition.trigger.topic, deadLetterTopic: definition.trigger.deadLetterTopic });
      for (const type of eventTypesOf(definition.trigger)) expect(subscription.route({ type })).toBe(subscriberPath(definition.trigger));
      expect(subscription.route({ type: "something.else" })).toBe(OTHER_EVENTS_PATH);
    }
  });

  it("turns the v1 `route` and the v2 `routes.default` into a last rule without match", () => {
    expect(toSubscription("app", { pubsubname: "pubsub", topic: "t", route: "/v1" }).rules).toEqual([{ match: "", path: "/v1" }]);
    const v2 = toSubscription("app", { pubsubname: "pubsub", topic: "t", routes: { rules: [{ match: 'event.type == "a"', path: "/a" }], default: "/d" } });
    expect(v2.rules).toEqual([
      { match: 'event.type == "a"', path: "/a" },
      { match: "", path: "/d" },
    ]);
    expect(v2.deadLetterTopic).toBeUndefined();
  });

  it("refuses an entry without pubsubname or topic", () => {
    expect(() => toSubscription("app", { topic: "t", route: "/x" })).toThrow();
  });
});
