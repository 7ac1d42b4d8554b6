import { serveFunction } from "../../runtime/serve.js";
import { completeTask } from "./definition.js";
import { createCompleteTaskHandler } from "./handler.js";

serveFunction(completeTask, createCompleteTaskHandler);
