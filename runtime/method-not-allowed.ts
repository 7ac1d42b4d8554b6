import type { Hono } from "hono";
import { HttpProblem, problemResponse } from "./problem.js";

/**
 * Answers 405 with `Allow` on every path the app serves, for the methods it does
 * not serve there (a 404 would say the path does not exist). Call it after the
 * last route: the allowed methods are read from the app's own routes, which the
 * definitions made. HEAD is allowed wherever GET is (Hono answers it with GET's
 * route). `servedElsewhere`: routes answered before the app (node-listener.ts).
 */
export function answerOtherMethods(app: Hono, servedElsewhere: readonly { method: string; path: string }[] = []): void {
  const allowed = new Map<string, Set<string>>();
  for (const { method, path } of [...app.routes, ...servedElsewhere]) {
    if (method === "ALL") continue; // middleware
    const methods = allowed.get(path) ?? new Set<string>();
    methods.add(method);
    if (method === "GET") methods.add("HEAD");
    allowed.set(path, methods);
  }
  for (const [path, methods] of allowed) {
    const allow = [...methods].sort().join(", ");
    const problem = new HttpProblem(405, `This path answers ${allow} only.`, { headers: { allow } });
    app.all(path, () => problemResponse(problem));
  }
}
