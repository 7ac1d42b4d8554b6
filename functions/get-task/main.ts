import { serveFunction } from "../../runtime/serve.js";
import { getTask } from "./definition.js";
import { createGetTaskHandler } from "./handler.js";

serveFunction(getTask, createGetTaskHandler);
