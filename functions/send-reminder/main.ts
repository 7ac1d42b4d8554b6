import { serveFunction } from "../../runtime/serve.js";
import { sendReminder } from "./definition.js";
import { createSendReminderHandler } from "./handler.js";

serveFunction(sendReminder, createSendReminderHandler);
