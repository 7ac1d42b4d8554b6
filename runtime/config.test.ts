import { describe, expect, it } from "vitest";
import { readConfig } from "./config.js";

const base = { DATABASE_URL: "postgresql://localhost/taskfn" };

describe("readConfig", () => {
  it("uses the defaults: the definition's port, all interfaces, Dapr on 127.0.0.1:3500, a pool of 10", () => {
    expect(readConfig(base, { port: 3101, needsAuth: false })).toEqual({
      port: 3101,
      host: "0.0.0.0",
      databaseUrl: "postgresql://localhost/taskfn",
      databasePoolSize: 10,
      daprBaseUrl: "http://127.0.0.1:3500",
      daprApiToken: undefined,
      appApiToken: undefined,
      auth: undefined,
    });
  });

  it("reads every setting from the environment", () => {
    const config = readConfig(
      {
        ...base,
        PORT: "8080",
        HOST: "127.0.0.1",
        DATABASE_POOL_SIZE: "3",
        DAPR_HOST: "sidecar",
        DAPR_HTTP_PORT: "3600",
        DAPR_API_TOKEN: "d",
        APP_API_TOKEN: "a",
        AUTH_JWT_SECRET: "s",
        AUTH_ISSUER: "i",
        AUTH_AUDIENCE: "aud",
      },
      { port: 3101, needsAuth: true },
    );
    expect(config).toMatchObject({
      port: 8080,
      host: "127.0.0.1",
      databasePoolSize: 3,
      daprBaseUrl: "http://sidecar:3600",
      daprApiToken: "d",
      appApiToken: "a",
    });
    expect(config.auth).toEqual({ secret: "s", jwksUrl: undefined, issuer: "i", audience: "aud" });
  });

  it("treats empty variables as unset", () => {
    expect(readConfig({ ...base, PORT: "", APP_API_TOKEN: "", DAPR_API_TOKEN: "" }, { port: 3101, needsAuth: false })).toMatchObject({
      port: 3101,
      appApiToken: undefined,
      daprApiToken: undefined,
    });
  });

  it("fails, naming the variable, without DATABASE_URL", () => {
    expect(() => readConfig({}, { port: 1, needsAuth: false })).toThrow(/DATABASE_URL is not set/);
  });

  it("never starts an HTTP function without a way to verify tokens", () => {
    expect(() => readConfig(base, { port: 1, needsAuth: true })).toThrow(/AUTH_JWT_SECRET.*AUTH_JWKS_URL/);
    expect(readConfig({ ...base, AUTH_JWKS_URL: "https://id.example/jwks" }, { port: 1, needsAuth: true }).auth).toMatchObject({
      jwksUrl: "https://id.example/jwks",
    });
  });

  it.each(["0", "-1", "3.5", "eighty"])("refuses PORT=%s, naming it", (port) => {
    expect(() => readConfig({ ...base, PORT: port }, { port: 1, needsAuth: false })).toThrow(`PORT must be a positive integer (got "${port}")`);
  });
});
