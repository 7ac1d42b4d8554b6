/**
 * Programmatic subscriptions: what an app answers on `GET /dapr/subscribe`,
 * normalised to one list of rules (the v1 `route` and v2 `routes.default`
 * become a last rule without a match, as in Dapr).
 */
import { z } from "zod";
import { callApp, type SidecarApp } from "./app-channel.js";
import { createRouter, type RouteRule, type Router } from "./router.js";

export interface Subscription {
  appId: string;
  pubsubname: string;
  topic: string;
  rules: RouteRule[];
  route: Router;
  deadLetterTopic: string | undefined;
}

const SubscriptionEntry = z.object({
  pubsubname: z.string().min(1),
  topic: z.string().min(1),
  route: z.string().optional(),
  routes: z
    .object({
      rules: z.array(z.object({ match: z.string().default(""), path: z.string() })).default([]),
      default: z.string().optional(),
    })
    .optional(),
  deadLetterTopic: z.string().optional(),
});

/** Validates one entry of the app's answer; throws when it is not a subscription Dapr would accept. */
export function toSubscription(appId: string, entry: unknown): Subscription {
  const { pubsubname, topic, route, routes, deadLetterTopic } = SubscriptionEntry.parse(entry);
  const fallback = routes?.default ?? route;
  const rules = [...(routes?.rules ?? []), ...(fallback ? [{ match: "", path: fallback }] : [])];
  return { appId, pubsubname, topic, rules, route: createRouter(rules), deadLetterTopic: deadLetterTopic || undefined };
}

/** Throws AppUnreachableError while the app is not up; an app without the endpoint (404) subscribes to nothing. */
export async function fetchSubscriptions(app: SidecarApp, timeoutMs = 5_000): Promise<Subscription[]> {
  const response = await callApp(app, { method: "GET", path: "/dapr/subscribe", timeoutMs });
  if (response.status === 404) {
    await response.body?.cancel();
    return [];
  }
  if (!response.ok) throw new Error(`${app.appId}: GET /dapr/subscribe answered ${response.status}`);
  const entries = z.array(z.unknown()).parse(await response.json());
  return entries.map((entry) => toSubscription(app.appId, entry));
}
