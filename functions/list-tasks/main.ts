import { serveFunction } from "../../runtime/serve.js";
import { listTasks } from "./definition.js";
import { createListTasksHandler } from "./handler.js";

serveFunction(listTasks, createListTasksHandler);
