/**
 * The sidecar → app half of the protocol (Dapr's "app channel"): plain HTTP to
 * the app's port on loopback, carrying APP_API_TOKEN as `dapr-api-token`.
 */

export interface SidecarApp {
  appId: string;
  port: number;
  /** Sent to the app as `dapr-api-token` (the app's APP_API_TOKEN). */
  appApiToken?: string;
  /** What the app sends us as `dapr-api-token` (its DAPR_API_TOKEN); identifies the caller. */
  daprApiToken?: string;
}

/** Nothing listens on the app's port: the app is not running (yet, or any more). */
export class AppUnreachableError extends Error {
  override readonly name = "AppUnreachableError";
}

export interface AppRequest {
  method: string;
  path: string;
  body?: string;
  headers?: Record<string, string>;
  timeoutMs?: number;
}

function isConnectionRefused(error: unknown): boolean {
  const cause = (error as { cause?: { code?: unknown } }).cause;
  return cause?.code === "ECONNREFUSED";
}

export async function callApp(app: SidecarApp, { method, path, body, headers = {}, timeoutMs }: AppRequest): Promise<Response> {
  try {
    return await fetch(`http://127.0.0.1:${app.port}${path}`, {
      method,
      body,
      headers: { ...headers, ...(app.appApiToken ? { "dapr-api-token": app.appApiToken } : {}) },
      signal: timeoutMs === undefined ? undefined : AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    if (isConnectionRefused(error)) throw new AppUnreachableError(`${app.appId} is not listening on port ${app.port}`, { cause: error });
    throw error;
  }
}
