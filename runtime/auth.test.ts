import { Hono } from "hono";
import { serve, type ServerType } from "@hono/node-server";
import type { AddressInfo } from "node:net";
import { SignJWT, UnsecuredJWT, exportJWK, generateKeyPair } from "jose";
import { describe, expect, it } from "vitest";
import { expectProblem } from "../test/problems.js";
import { TEST_JWT_SECRET, tokenFor } from "../test/runtime.js";
import { CLOCK_LEEWAY_SECONDS, jwtAuth, type AuthOptions } from "./auth.js";
import { problemResponse, HttpProblem } from "./problem.js";

/** A tiny app behind jwtAuth that echoes the verified subject. */
function guarded(options: AuthOptions = { secret: TEST_JWT_SECRET }): Hono {
  const app = new Hono<{ Variables: { subject: string } }>();
  app.get("/api/:userId/things", jwtAuth(options), (c) => c.json({ subject: c.get("subject") }));
  app.get("/whoami", jwtAuth(options), (c) => c.json({ subject: c.get("subject") }));
  app.onError((error) => problemResponse(error instanceof HttpProblem ? error : new HttpProblem(500)));
  return app as unknown as Hono;
}

const call = (app: Hono, path: string, authorization?: string) => app.request(path, { headers: authorization ? { authorization } : {} });
const sign = (claims: { sub?: string; iss?: string; aud?: string }, secret = TEST_JWT_SECRET) => {
  const jwt = new SignJWT({}).setProtectedHeader({ alg: "HS256" }).setIssuedAt().setExpirationTime("5m");
  if (claims.sub) jwt.setSubject(claims.sub);
  if (claims.iss) jwt.setIssuer(claims.iss);
  if (claims.aud) jwt.setAudience(claims.aud);
  return jwt.sign(new TextEncoder().encode(secret));
};

describe("jwtAuth", () => {
  it("lets a valid bearer token through and exposes its subject", async () => {
    const res = await call(guarded(), "/api/alice/things", `Bearer ${await tokenFor("alice")}`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ subject: "alice" });
  });

  it("accepts the scheme in any case", async () => {
    expect((await call(guarded(), "/whoami", `bearer ${await tokenFor("alice")}`)).status).toBe(200);
  });

  it("answers 401 with a bare Bearer challenge when no token is sent", async () => {
    const res = await call(guarded(), "/api/alice/things");
    await expectProblem(res, 401);
    expect(res.headers.get("www-authenticate")).toBe('Bearer realm="taskfn"');
  });

  it.each([
    ["another scheme", "Basic YWxpY2U6c2VjcmV0"],
    ["a scheme without a token", "Bearer"],
    ["two tokens", "Bearer a b"],
  ])("answers 401 for %s", async (_what, header) => {
    const res = await call(guarded(), "/whoami", header);
    expect((await expectProblem(res, 401)).detail).toBe("A bearer token is required.");
  });

  it.each([
    ["a token signed with another secret", () => tokenFor("alice", { secret: "another-secret-that-is-long-enough-too" }), "The token is not valid."],
    ["an expired token", () => tokenFor("alice", { expiresIn: Math.floor(Date.now() / 1000) - 60 }), "The token has expired."],
    ["an unsigned token (alg none)", async () => new UnsecuredJWT({}).setSubject("alice").setExpirationTime("5m").encode(), "The token is not valid."],
    ["garbage", async () => "not.a.jwt", "The token is not valid."],
    ["a token without a subject", () => sign({}), "The token has no subject."],
  ])("answers 401 invalid_token for %s", async (_what, token, detail) => {
    const res = await call(guarded(), "/whoami", `Bearer ${await token()}`);
    expect((await expectProblem(res, 401)).detail).toBe(detail);
    expect(res.headers.get("www-authenticate")).toBe(`Bearer realm="taskfn", error="invalid_token", error_description="${detail}"`);
  });

  /** A token with exactly these claims (none added), signed with the test secret. */
  const withClaims = (claims: Record<string, unknown>) =>
    new SignJWT(claims).setProtectedHeader({ alg: "HS256" }).sign(new TextEncoder().encode(TEST_JWT_SECRET));
  const now = () => Math.floor(Date.now() / 1000);

  it.each([
    ["a token without exp (it would never expire)", () => withClaims({ sub: "alice", iat: now() }), "The token must have an expiry (exp)."],
    ["a token issued in the future", () => withClaims({ sub: "alice", iat: now() + 3600, exp: now() + 7200 }), "The token is not valid."],
    ["a numeric subject", () => withClaims({ sub: 42, iat: now(), exp: now() + 60 }), "The token is not valid."],
    ["an object as subject", () => withClaims({ sub: { id: "alice" }, iat: now(), exp: now() + 60 }), "The token is not valid."],
  ])("answers 401 invalid_token for %s", async (_what, token, detail) => {
    const res = await call(guarded(), "/api/alice/things", `Bearer ${await token()}`);
    expect((await expectProblem(res, 401)).detail).toBe(detail);
  });

  it(`allows ${CLOCK_LEEWAY_SECONDS} s of clock difference on iat and exp, and no more`, async () => {
    const skewed = (by: number) => withClaims({ sub: "alice", iat: now() + by, exp: now() - by + 1 });
    expect((await call(guarded(), "/whoami", `Bearer ${await skewed(CLOCK_LEEWAY_SECONDS - 5)}`)).status).toBe(200);
    await expectProblem(await call(guarded(), "/whoami", `Bearer ${await skewed(CLOCK_LEEWAY_SECONDS + 5)}`), 401);
  });

  it("answers 403 when the token's subject does not own the {userId} in the path", async () => {
    const res = await call(guarded(), "/api/alice/things", `Bearer ${await tokenFor("mallory")}`);
    expect((await expectProblem(res, 403)).detail).toMatch(/does not grant access/);
  });

  it("checks issuer and audience when configured", async () => {
    const app = guarded({ secret: TEST_JWT_SECRET, issuer: "https://id.example", audience: "taskfn" });
    expect((await call(app, "/whoami", `Bearer ${await sign({ sub: "alice", iss: "https://id.example", aud: "taskfn" })}`)).status).toBe(200);
    await expectProblem(await call(app, "/whoami", `Bearer ${await sign({ sub: "alice", iss: "https://evil.example", aud: "taskfn" })}`), 401);
    await expectProblem(await call(app, "/whoami", `Bearer ${await sign({ sub: "alice", iss: "https://id.example", aud: "other" })}`), 401);
    await expectProblem(await call(app, "/whoami", `Bearer ${await sign({ sub: "alice" })}`), 401);
  });

  it("accepts only the pinned JWKS algorithms: an RSA key of the JWKS signing PS256 is refused", async () => {
    const keys = { RS256: await generateKeyPair("RS256"), PS256: await generateKeyPair("PS256") };
    // Published as plain RSA keys without `alg`, as many identity providers do: only the pin decides.
    const published = await Promise.all(Object.entries(keys).map(async ([kid, pair]) => ({ ...(await exportJWK(pair.publicKey)), kid })));
    const jwks = new Hono();
    jwks.get("/jwks", (c) => c.json({ keys: published }));
    const server = await new Promise<ServerType>((resolve) => {
      const s: ServerType = serve({ fetch: jwks.fetch, port: 0, hostname: "127.0.0.1" }, () => resolve(s));
    });
    const { port } = server.address() as AddressInfo;
    const app = guarded({ jwksUrl: `http://127.0.0.1:${port}/jwks` });
    const signed = (alg: keyof typeof keys) =>
      new SignJWT({}).setProtectedHeader({ alg, kid: alg }).setSubject("alice").setExpirationTime("5m").sign(keys[alg].privateKey);
    try {
      expect((await call(app, "/whoami", `Bearer ${await signed("RS256")}`)).status).toBe(200);
      expect((await expectProblem(await call(app, "/whoami", `Bearer ${await signed("PS256")}`), 401)).detail).toBe("The token is not valid.");
    } finally {
      server.close();
    }
  });

  it("refuses to start without a secret or a JWKS URL", () => {
    expect(() => jwtAuth({})).toThrow(/AUTH_JWT_SECRET or AUTH_JWKS_URL/);
  });
});
