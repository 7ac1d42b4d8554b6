import { createMiddleware } from "hono/factory";
import type { MiddlewareHandler } from "hono";
import { createRemoteJWKSet, errors, jwtVerify, type CryptoKey, type JWTPayload, type JWTVerifyGetKey } from "jose";
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

/** How far the issuer's clock may be from ours, on exp, nbf and iat. */
export const CLOCK_LEEWAY_SECONDS = 30;

function unauthorized(detail: string, error?: "invalid_token"): HttpProblem {
  const challenge = error ? `${REALM}, error="${error}", error_description="${detail}"` : REALM;
  return new HttpProblem(401, detail, { headers: { "www-authenticate": challenge } });
}

/**
 * Verifies `Authorization: Bearer <JWT>` and exposes its subject. A route whose
 * path has `{userId}` then answers 403 unless the subject owns that path.
 */
export function jwtAuth(options: AuthOptions): MiddlewareHandler<{ Variables: AuthVariables }> {
  // The HS256 secret is imported once: given raw bytes, jose imports them into a
  // WebCrypto key on every verification (~50 µs of CPU per request).
  const key: Promise<CryptoKey> | JWTVerifyGetKey = options.secret
    ? importHmacKey(options.secret)
    : options.jwksUrl
      ? createRemoteJWKSet(new URL(options.jwksUrl))
      : missingKey();
  const verifyOptions = {
    // A token without exp would be good forever.
    requiredClaims: ["exp"],
    clockTolerance: CLOCK_LEEWAY_SECONDS,
    ...(options.secret ? { algorithms: ["HS256"] } : {}),
    ...(options.issuer ? { issuer: options.issuer } : {}),
    ...(options.audience ? { audience: options.audience } : {}),
  };

  return createMiddleware(async (c, next) => {
    const header = c.req.header("authorization");
    const match = header?.match(/^Bearer\s+(\S+)\s*$/i);
    if (!match?.[1]) throw unauthorized("A bearer token is required.");
    // Outside the try: a key that cannot be imported is a 500, not a 401.
    const verifyKey = typeof key === "function" ? key : await key;
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(match[1], verifyKey as CryptoKey, verifyOptions));
    } catch (error) {
      throw unauthorized(rejectionReason(error), "invalid_token");
    }
    // jose checks iat's type, and its age only when a maximum age is set: one issued in the future is refused here.
    if (payload.iat !== undefined && payload.iat > Date.now() / 1000 + CLOCK_LEEWAY_SECONDS) throw unauthorized("The token is not valid.", "invalid_token");
    // jose does not check sub's type: a number would reach the owner check and answer 403.
    if (payload.sub !== undefined && typeof payload.sub !== "string") throw unauthorized("The token is not valid.", "invalid_token");
    const subject = payload.sub;
    if (!subject) throw unauthorized("The token has no subject.", "invalid_token");
    const owner = c.req.param("userId");
    if (owner !== undefined && owner !== subject) {
      throw new HttpProblem(403, "The token does not grant access to this user's tasks.");
    }
    c.set("subject", subject);
    await next();
  });
}

function rejectionReason(error: unknown): string {
  if (error instanceof errors.JWTExpired) return "The token has expired.";
  if (error instanceof errors.JWTClaimValidationFailed && error.claim === "exp" && error.reason === "missing") return "The token must have an expiry (exp).";
  return "The token is not valid.";
}

function importHmacKey(secret: string): Promise<CryptoKey> {
  return crypto.subtle.importKey("raw", new TextEncoder().encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["verify"]);
}

function missingKey(): never {
  throw new Error("HTTP functions need AUTH_JWT_SECRET or AUTH_JWKS_URL to verify tokens.");
}
