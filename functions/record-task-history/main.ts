import { serveFunction } from "../../runtime/serve.js";
import { recordTaskHistory } from "./definition.js";
import { createRecordTaskHistoryHandler } from "./handler.js";

serveFunction(recordTaskHistory, createRecordTaskHistoryHandler);
