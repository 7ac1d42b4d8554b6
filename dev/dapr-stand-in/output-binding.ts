/**
 * `bindings.http` output bindings, as components-contrib implements them: the
 * operation is the HTTP method (`create` = POST), `data` is sent as JSON,
 * metadata keys starting with a capital letter become request headers,
 * `metadata.path` is appended to the component's `url`, and a non-2xx answer
 * is an error.
 */
import type { Component } from "./components.js";

export interface BindingRequest {
  operation: string;
  data: unknown;
  metadata: Record<string, string>;
}

export interface BindingResponse {
  body: string;
  /** Returned by Dapr as `metadata.<key>` response headers. */
  metadata: Record<string, string>;
}

/** The binding failed; Dapr answers 500 ERR_INVOKE_OUTPUT_BINDING. */
export class BindingError extends Error {
  override readonly name = "BindingError";
}

const METHODS = new Set(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE"]);
const WITH_BODY = new Set(["POST", "PUT", "PATCH"]);

export async function invokeHttpBinding(component: Component, { operation, data, metadata }: BindingRequest, timeoutMs?: number): Promise<BindingResponse> {
  const method = operation.toUpperCase() === "CREATE" ? "POST" : operation.toUpperCase();
  if (!METHODS.has(method)) throw new BindingError(`invalid operation: ${operation}`);
  const base = component.metadata.url ?? "";
  const url = metadata.path ? `${base.replace(/\/+$/, "")}/${metadata.path.replace(/^\/+/, "")}` : base;
  const headers: Record<string, string> = { accept: "application/json; charset=utf-8" };
  if (WITH_BODY.has(method)) headers["content-type"] = "application/json; charset=utf-8";
  for (const [key, value] of Object.entries(metadata)) if (/^[A-Z]/.test(key)) headers[key.toLowerCase()] = value;

  let response: Response;
  try {
    response = await fetch(url, {
      method,
      headers,
      body: WITH_BODY.has(method) ? JSON.stringify(data) : undefined,
      signal: timeoutMs === undefined ? undefined : AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    throw new BindingError(`${method} ${url}: ${(error as Error).message}`, { cause: error });
  }
  const body = await response.text();
  const responseMetadata = {
    statusCode: String(response.status),
    status: `${response.status} ${response.statusText}`,
    ...Object.fromEntries(response.headers),
  };
  if (!response.ok) throw new BindingError(`received status code ${response.status}`);
  return { body, metadata: responseMetadata };
}
