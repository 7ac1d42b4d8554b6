import { describe, expect, it } from "vitest";
import { pathRegex } from "./http-exposure.js";

describe("pathRegex", () => {
  it("turns each {param} into one segment and anchors both ends", () => {
    expect(pathRegex("/api/{userId}/tasks/{taskId}")).toBe("^/api/[^/]+/tasks/[^/]+$");
    const regex = new RegExp(pathRegex("/api/{userId}/tasks/{taskId}"));
    expect(regex.test("/api/u1/tasks/t1")).toBe(true);
    expect(regex.test("/api/u1/tasks/t1/complete")).toBe(false);
    expect(regex.test("/api/u1/tasks")).toBe(false);
  });

  it("escapes regex characters in literal segments", () => {
    expect(pathRegex("/api/v1.0/{id}")).toBe("^/api/v1\\.0/[^/]+$");
  });
});
