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
  const visitor = await hit(`visitor-msg:${tenantId}:${visitorId}`, cfg.visitorPerMinute);
  if (!visitor.allowed)
    return { allowed: false, retryAfterSeconds: visitor.retryAfterSeconds, scope: "visitor" };
  const tenant = await hit(`tenant-msg:${tenantId}`, cfg.tenantPerMinute);
  if (!tenant.allowed)
    return { allowed: false, retryAfterSeconds: tenant.retryAfterSeconds, scope: "tenant" };
  return { allowed: true, retryAfterSeconds: 0 };
}
