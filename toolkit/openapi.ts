/**
 * The OpenAPI 3.1 document of the HTTP functions, generated from their
 * definitions' zod schemas (the same ones that validate every request), with
 * the RFC 9457 problem+json answers the runtime gives and bearer JWT security.
 */
import { OpenAPIRegistry, OpenApiGeneratorV31, type ResponseConfig } from "@asteasolutions/zod-to-openapi";
import { z } from "zod";
import { PROBLEM_CONTENT_TYPE } from "../runtime/problem.js";
import type { FunctionDefinition, HttpTrigger } from "../runtime/types.js";

// The shape of runtime/problem.ts ProblemDetails; `id` makes it one shared component.
const Problem = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string().optional(),
    errors: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
  })
  .meta({ id: "Problem", description: "RFC 9457 problem details." });

const COMMON_PROBLEMS: Record<number, string> = {
  400: "The path, query or body is not valid; `errors` lists each field.",
  401: "The bearer token is missing, expired or not valid.",
  403: "The token's subject is not the user in the path.",
  404: "No such task (or route).",
  503: "The task store is unavailable; try again shortly.",
};
const BODY_PROBLEMS: Record<number, string> = {
  413: "The body is larger than 64 KiB.",
  415: "The body is not application/json.",
};

type OpenApiInfo = Parameters<OpenApiGeneratorV31["generateDocument"]>[0]["info"];

export function createOpenApiDocument(
  functions: readonly FunctionDefinition<HttpTrigger>[],
  info: OpenApiInfo,
): ReturnType<OpenApiGeneratorV31["generateDocument"]> {
  const registry = new OpenAPIRegistry();
  const bearer = registry.registerComponent("securitySchemes", "bearerAuth", { type: "http", scheme: "bearer", bearerFormat: "JWT" });
  const problemResponse = (description: string): ResponseConfig => ({ description, content: { [PROBLEM_CONTENT_TYPE]: { schema: Problem } } });

  for (const { name, description, trigger } of functions) {
    const { status, description: responseDescription, schema } = trigger.response;
    const problems = { ...COMMON_PROBLEMS, ...(trigger.body ? BODY_PROBLEMS : {}), ...trigger.problems };
    registry.registerPath({
      operationId: name,
      method: trigger.method,
      path: trigger.path,
      summary: trigger.summary,
      description,
      security: [{ [bearer.name]: [] }],
      request: {
        params: trigger.params,
        ...(trigger.query ? { query: trigger.query } : {}),
        ...(trigger.body ? { body: { required: true, content: { "application/json": { schema: trigger.body } } } } : {}),
      },
      responses: {
        [status]: { description: responseDescription, ...(schema ? { content: { "application/json": { schema } } } : {}) },
        ...Object.fromEntries(Object.entries(problems).map(([code, text]) => [code, problemResponse(text)])),
      },
    });
  }
  return new OpenApiGeneratorV31(registry.definitions).generateDocument({ openapi: "3.1.0", info });
}
