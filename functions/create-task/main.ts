import { serveFunction } from "../../runtime/serve.js";
import { createTask } from "./definition.js";
import { createCreateTaskHandler } from "./handler.js";

serveFunction(createTask, createCreateTaskHandler);
