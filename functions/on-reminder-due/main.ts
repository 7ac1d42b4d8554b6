import { serveFunction } from "../../runtime/serve.js";
import { onReminderDue } from "./definition.js";
import { createOnReminderDueHandler } from "./handler.js";

serveFunction(onReminderDue, createOnReminderDueHandler);
