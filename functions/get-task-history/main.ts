import { serveFunction } from "../../runtime/serve.js";
import { getTaskHistory } from "./definition.js";
import { createGetTaskHistoryHandler } from "./handler.js";

serveFunction(getTaskHistory, createGetTaskHistoryHandler);
