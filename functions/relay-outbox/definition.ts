import { defineFunction } from "../../runtime/contract.js";

export const relayOutbox = defineFunction({
  name: "relayOutbox",
  appId: "relay-outbox",
  port: 3110,
  description: "On every cron tick, publishes outbox events that were not published right after their commit.",
  trigger: { kind: "binding", binding: "outbox-cron" },
});
