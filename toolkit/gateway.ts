/**
 * The local stand-in for the Kubernetes ingress: one HTTP entry that sends each
 * `/api/...` request (method + path, from the HTTP definitions) to its
 * function's port, streaming both ways with headers intact. Also serves the
 * OpenAPI document and Swagger UI. No business logic: authentication,
 * validation and errors are the functions' own.
 */
import { getConnInfo } from "@hono/node-server/conninfo";
import { swaggerUI } from "@hono/swagger-ui";
import { Hono } from "hono";
import { toHonoPath } from "../runtime/http-trigger.js";
import { answerOtherMethods } from "../runtime/method-not-allowed.js";
import { HttpProblem, problemResponse } from "../runtime/problem.js";
import type { FunctionDefinition, HttpTrigger } from "../runtime/types.js";
import { forward } from "./forward.js";
import { createOpenApiDocument } from "./openapi.js";

export interface GatewayOptions {
  functions: readonly FunctionDefinition<HttpTrigger>[];
  portOf(definition: FunctionDefinition<HttpTrigger>): number;
}

export function createGateway({ functions, portOf }: GatewayOptions): Hono {
  const app = new Hono();
  const openapi = createOpenApiDocument(functions, {
    title: "taskfn",
    version: "0.1.0",
    description:
      "Todo tasks with recurrence and reminders. Every route needs `Authorization: Bearer <JWT>` whose subject is the `{userId}` of the path (`npm run token -- <userId>` prints one locally).",
  });

  app.get("/openapi.json", (c) => c.json(openapi));
  app.get("/docs", swaggerUI({ url: "/openapi.json", title: "taskfn API" }));

  for (const definition of functions) {
    const port = portOf(definition);
    app.on(definition.trigger.method.toUpperCase(), toHonoPath(definition.trigger.path), async (c) => {
      const url = new URL(c.req.url);
      const client = getConnInfo(c).remote.address;
      try {
        return await forward(c.req.raw, {
          port,
          path: `${url.pathname}${url.search}`,
          headers: {
            "x-forwarded-for": [c.req.header("x-forwarded-for"), client].filter(Boolean).join(", "),
            "x-forwarded-host": c.req.header("host") ?? url.host,
            "x-forwarded-proto": url.protocol.replace(":", ""),
          },
        });
      } catch {
        return problemResponse(new HttpProblem(502, `The ${definition.name} function is not reachable; it may be starting or restarting.`));
      }
    });
  }

  answerOtherMethods(app);
  app.notFound(() => problemResponse(new HttpProblem(404, "No such route.")));
  return app;
}
