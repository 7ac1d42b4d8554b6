import { serveFunction } from "../../runtime/serve.js";
import { deleteTask } from "./definition.js";
import { createDeleteTaskHandler } from "./handler.js";

serveFunction(deleteTask, createDeleteTaskHandler);
