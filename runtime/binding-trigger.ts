import type { Hono, MiddlewareHandler } from "hono";
import type { Logger } from "pino";
import { readTraceContext } from "./trace-context.js";
import type { Tracer } from "./tracing.js";
import type { BindingHandler, BindingTrigger, FunctionDefinition } from "./types.js";

/**
 * An input binding: Dapr POSTs each trigger to `/<binding>`. 200 acknowledges;
 * an error becomes a 500 problem, which Dapr retries under the cron bindings'
 * resiliency policy (dapr/resiliency.yaml). `OPTIONS /<binding>` answers 200 for
 * components without `direction: input`, which Dapr probes at start-up and skips
 * on a 404.
 */
export function mountBindingFunction(
  app: Hono,
  definition: FunctionDefinition<BindingTrigger>,
  handler: BindingHandler,
  deps: { log: Logger; tracer: Tracer; daprAuth: MiddlewareHandler },
): void {
  const path = `/${definition.trigger.binding}`;
  app.options(path, deps.daprAuth, (c) => c.body(null, 200));
  app.post(path, deps.daprAuth, async (c) => {
    // A tick is a new trace unless Dapr (tracing on) sent its own context.
    const span = deps.tracer.startSpan(
      `tick ${definition.trigger.binding}`,
      "server",
      readTraceContext(c.req.header("traceparent"), c.req.header("tracestate")),
    );
    const log = deps.log.child({ trace_id: span.traceId });
    try {
      const summary = await deps.tracer.withSpan(span, () => handler({ log, trace: span.context }));
      log.info(summary, `${definition.name} done`);
      return c.json(summary);
    } catch (error) {
      span.fail((error as Error).message);
      throw error;
    } finally {
      span.end();
    }
  });
}
