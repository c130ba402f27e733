import type { Context, MiddlewareHandler } from "hono";
import type { AppEnv } from "../env.js";
import { AppError } from "./errors.js";

export function clientIp(c: Context<AppEnv>): string {
  // Set by Cloudflare's edge, and passed on by the dashboard's service binding.
  return c.req.header("cf-connecting-ip") ?? "unknown";
}

async function enforce(c: Context<AppEnv>, key: string, limit: number): Promise<void> {
  const stub = c.env.RATE_LIMITER.get(c.env.RATE_LIMITER.idFromName(key));
  const decision = await stub.hit(limit, 60_000);
  c.header("RateLimit-Limit", String(limit));
  c.header("RateLimit-Remaining", String(decision.remaining));
  if (!decision.allowed) {
    throw new AppError(429, "rate_limited", "too many requests, retry later", undefined, {
      "Retry-After": String(decision.retryAfterSeconds),
    });
  }
}

/** Per client IP, for the unauthenticated auth endpoints (login, signup, password reset). */
export const limitByIp =
  (bucket: string): MiddlewareHandler<AppEnv> =>
  async (c, next) => {
    await enforce(c, `ip:${bucket}:${clientIp(c)}`, Number(c.env.RATE_LIMIT_AUTH_PER_MIN));
    return next();
  };

/** Per API key (or session), after authentication. */
export const limitByPrincipal: MiddlewareHandler<AppEnv> = async (c, next) => {
  const p = c.get("principal");
  await enforce(c, `${p.kind}:${p.id}`, Number(c.env.RATE_LIMIT_KEY_PER_MIN));
  return next();
};
