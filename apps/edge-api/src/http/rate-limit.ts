import type { Context, MiddlewareHandler } from "hono";
import type { RateDecision } from "../durable/fixed-window.js";
import type { AppEnv } from "../env.js";
import { AppError } from "./errors.js";

export function clientIp(c: Context<AppEnv>): string {
  // Set by Cloudflare's edge, and passed on by the dashboard's service binding.
  return c.req.header("cf-connecting-ip") ?? "unknown";
}

async function enforce(c: Context<AppEnv>, key: string, limit: number): Promise<void> {
  const stub = c.env.RATE_LIMITER.get(c.env.RATE_LIMITER.idFromName(key));
  applyRateDecision(c, limit, await stub.hit(limit, 60_000));
}

/** Sets the RateLimit headers, and answers 429 with Retry-After when the limit is reached. */
export function applyRateDecision(c: Context<AppEnv>, limit: number, decision: RateDecision): void {
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

/** Per session, after authentication (API keys are counted by their own gate while being verified). */
export const limitByPrincipal: MiddlewareHandler<AppEnv> = async (c, next) => {
  const p = c.get("principal");
  if (p.kind === "session") await enforce(c, `session:${p.id}`, Number(c.env.RATE_LIMIT_KEY_PER_MIN));
  return next();
};
