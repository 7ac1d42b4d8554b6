import { PUBSUB_NAME, defineFunction } from "../../runtime/contract.js";
import { DEAD_LETTER_TOPICS, TASK_EVENTS, TOPICS } from "../../tasks/events.js";

/** Its own app id, so its own Kafka consumer group: it receives every task event, as onTaskCompleted does. */
export const recordTaskHistory = defineFunction({
  name: "recordTaskHistory",
  appId: "record-task-history",
  port: 3112,
  description: "Appends every task event to its task's history, once per event.",
  trigger: {
    kind: "topic",
    pubsub: PUBSUB_NAME,
    topic: TOPICS.tasks,
    events: TASK_EVENTS,
    deadLetterTopic: DEAD_LETTER_TOPICS.tasks,
  },
});
