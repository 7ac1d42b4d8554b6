import { serveFunction } from "../../runtime/serve.js";
import { onTaskCompleted } from "./definition.js";
import { createOnTaskCompletedHandler } from "./handler.js";

serveFunction(onTaskCompleted, createOnTaskCompletedHandler);
