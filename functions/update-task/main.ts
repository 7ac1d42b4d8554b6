import { serveFunction } from "../../runtime/serve.js";
import { updateTask } from "./definition.js";
import { createUpdateTaskHandler } from "./handler.js";

serveFunction(updateTask, createUpdateTaskHandler);
