import { describe, expect, it } from "vitest";
import { FUNCTIONS } from "../functions/catalog.js";
import { publishedTopics } from "./published-topics.js";

describe("publishedTopics", () => {
  it("reads each handler's emitted events: the Kafka ACLs grant writes to exactly these topics", () => {
    expect(Object.fromEntries(FUNCTIONS.map((f) => [f.appId, publishedTopics(f)]))).toEqual({
      "create-task": ["tasks"],
      "list-tasks": [],
      "get-task": [],
      "update-task": ["tasks"],
      "complete-task": ["tasks"],
      "delete-task": ["tasks"],
      "on-task-completed": ["tasks"],
      "reopen-task": ["tasks"],
      "on-reminder-due": ["reminders"],
      "send-reminder": [],
      "relay-outbox": ["reminders", "tasks"],
    });
  });
});
