import type { Hono, MiddlewareHandler } from "hono";
import type { BindingHandler, BindingTrigger, FunctionDefinition, InvocationContext } from "./types.js";

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
  deps: { ctx: InvocationContext; daprAuth: MiddlewareHandler },
): void {
  const path = `/${definition.trigger.binding}`;
  app.options(path, deps.daprAuth, (c) => c.body(null, 200));
  app.post(path, deps.daprAuth, async (c) => {
    const summary = await handler(deps.ctx);
    deps.ctx.log.info(summary, `${definition.name} done`);
    return c.json(summary);
  });
}
