import { PUBSUB_NAME, defineFunction } from "../../runtime/contract.js";
import { DEAD_LETTER_TOPICS, TOPICS } from "../../tasks/events.js";
import { TaskJson } from "../../tasks/task-schema.js";

export const onTaskCompleted = defineFunction({
  name: "onTaskCompleted",
  appId: "on-task-completed",
  port: 3107,
  description: "Creates the next instance of a recurring task when one is completed.",
  trigger: {
    kind: "topic",
    pubsub: PUBSUB_NAME,
    topic: TOPICS.tasks,
    eventType: "task.completed",
    data: TaskJson,
    deadLetterTopic: DEAD_LETTER_TOPICS.tasks,
  },
});
