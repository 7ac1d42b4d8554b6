import { describe, expect, it } from "vitest";
import { kafkaConsumerOf } from "./kafka-consumer.js";

describe("kafkaConsumerOf", () => {
  it("resolves {appID} and maps initialOffset to KEDA's offsetResetPolicy", () => {
    expect(kafkaConsumerOf({ consumerGroup: "{appID}", initialOffset: "oldest", version: "4.0.0" }, "send-reminder")).toEqual({
      consumerGroup: "send-reminder",
      offsetResetPolicy: "earliest",
      version: "4.0.0",
    });
  });

  it("falls back like pubsub.kafka: consumerID, then the app id; newest by default", () => {
    expect(kafkaConsumerOf({ consumerID: "group-{appID}" }, "a").consumerGroup).toBe("group-a");
    expect(kafkaConsumerOf({}, "a")).toEqual({ consumerGroup: "a", offsetResetPolicy: "latest", version: undefined });
  });

  it("refuses a group KEDA cannot know", () => {
    expect(() => kafkaConsumerOf({ consumerGroup: "{podName}" }, "a")).toThrow(/\{podName\}/);
  });
});
