import type { Env } from "../env.js";
import { conversationConfig } from "./config.js";

// Per-visitor and per-tenant message limits (DESIGN §3 "Abuse limits"), counted in RateLimiter DOs.

export async function checkMessageLimits(
  env: Env,
  tenantId: string,
  visitorId: string,
): Promise<{ allowed: boolean; retryAfterSeconds: number; scope?: "visitor" | "tenant" }> {
  const cfg = conversationConfig(env);
  const hit = (key: string, limit: number) =>
    env.RATE_LIMITER.get(env.RATE_LIMITER.idFromName(key)).hit(limit, 60_000);
  // Both counters at once (one round trip on a visitor's turn, not two); a message refused for the
  // visitor still counts against the tenant, which only makes the tenant limit slightly stricter.
  const [visitor, tenant] = await Promise.all([
    hit(`visitor-msg:${tenantId}:${visitorId}`, cfg.visitorPerMinute),
    hit(`tenant-msg:${tenantId}`, cfg.tenantPerMinute),
  ]);
  if (!visitor.allowed)
    return { allowed: false, retryAfterSeconds: visitor.retryAfterSeconds, scope: "visitor" };
  if (!tenant.allowed)
    return { allowed: false, retryAfterSeconds: tenant.retryAfterSeconds, scope: "tenant" };
  return { allowed: true, retryAfterSeconds: 0 };
}
