import { serveFunction } from "../../runtime/serve.js";
import { relayOutbox } from "./definition.js";
import { createRelayOutboxHandler } from "./handler.js";

serveFunction(relayOutbox, createRelayOutboxHandler);
