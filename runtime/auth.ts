import { createMiddleware } from "hono/factory";
import type { MiddlewareHandler } from "hono";
import { createRemoteJWKSet, errors, jwtVerify, type JWTVerifyGetKey } from "jose";
import { HttpProblem } from "./problem.js";

export interface AuthOptions {
  /** HS256 shared secret (AUTH_JWT_SECRET). */
  secret?: string;
  /** JWKS endpoint for asymmetric keys (AUTH_JWKS_URL). */
  jwksUrl?: string;
  issuer?: string;
  audience?: string;
}

export interface AuthVariables {
  /** The verified token's `sub`. */
  subject: string;
}

const REALM = 'Bearer realm="taskfn"';

function unauthorized(detail: string, error?: "invalid_token"): HttpProblem {
  const challenge = error ? `${REALM}, error="${error}", error_description="${detail}"` : REALM;
  return new HttpProblem(401, detail, { headers: { "www-authenticate": challenge } });
}

/**
 * Verifies `Authorization: Bearer <JWT>` and exposes its subject. A route whose
 * path has `{userId}` then answers 403 unless the subject owns that path.
 */
export function jwtAuth(options: AuthOptions): MiddlewareHandler<{ Variables: AuthVariables }> {
  const key: Uint8Array | JWTVerifyGetKey = options.secret
    ? new TextEncoder().encode(options.secret)
    : options.jwksUrl
      ? createRemoteJWKSet(new URL(options.jwksUrl))
      : missingKey();
  const verifyOptions = {
    ...(options.secret ? { algorithms: ["HS256"] } : {}),
    ...(options.issuer ? { issuer: options.issuer } : {}),
    ...(options.audience ? { audience: options.audience } : {}),
  };

  return createMiddleware(async (c, next) => {
    const header = c.req.header("authorization");
    const match = header?.match(/^Bearer\s+(\S+)\s*$/i);
    if (!match?.[1]) throw unauthorized("A bearer token is required.");
    let subject: string | undefined;
    try {
      const { payload } = await jwtVerify(match[1], key as Uint8Array, verifyOptions);
      subject = payload.sub;
    } catch (error) {
      const reason = error instanceof errors.JWTExpired ? "The token has expired." : "The token is not valid.";
      throw unauthorized(reason, "invalid_token");
    }
    if (!subject) throw unauthorized("The token has no subject.", "invalid_token");
    const owner = c.req.param("userId");
    if (owner !== undefined && owner !== subject) {
      throw new HttpProblem(403, "The token does not grant access to this user's tasks.");
    }
    c.set("subject", subject);
    await next();
  });
}

function missingKey(): never {
  throw new Error("HTTP functions need AUTH_JWT_SECRET or AUTH_JWKS_URL to verify tokens.");
}
