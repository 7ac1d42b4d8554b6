import { serveFunction } from "../../runtime/serve.js";
import { reopenTask } from "./definition.js";
import { createReopenTaskHandler } from "./handler.js";

serveFunction(reopenTask, createReopenTaskHandler);
