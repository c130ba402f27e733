import type { Context, MiddlewareHandler } from "hono";
import { AppError } from "../domain/errors.js";
import type { RateDecision } from "../durable/fixed-window.js";
import type { AppEnv } from "../env.js";

/** Where a client-sent CF-Connecting-IP cannot be told from a real one, every caller is this one. */
export const LOCAL_CLIENT = "local";

/**
 * The client's address, for per-IP limits. In a deployment Cloudflare's edge sets CF-Connecting-IP on
 * every request (replacing any value the client sent), and the dashboard passes it on over its service
 * binding. A local runtime (wrangler dev, LOCAL_DEVELOPMENT) keeps whatever the client sent, and every
 * local client is this machine anyway, so there all callers count as one, unless TRUST_CLIENT_IP is
 * set (the tests, which play Cloudflare's edge and give each call its own address).
 */
export function clientIp(c: Context<AppEnv>): string {
  const trusted = !c.env.LOCAL_DEVELOPMENT || c.env.TRUST_CLIENT_IP === "1";
  if (!trusted) return LOCAL_CLIENT;
  return c.req.header("cf-connecting-ip") ?? "unknown";
}

/** Counts one request under `key`: 429 with Retry-After past `limit` a minute. */
export async function enforce(c: Context<AppEnv>, key: string, limit: number): Promise<void> {
  const stub = c.env.RATE_LIMITER.get(c.env.RATE_LIMITER.idFromName(key));
  applyRateDecision(c, limit, await stub.hit(limit, 60_000));
}

/** Sets the RateLimit headers, and answers 429 with Retry-After when the limit is reached. */
export function applyRateDecision(c: Context<AppEnv>, limit: number, decision: RateDecision): void {
  c.header("RateLimit-Limit", String(limit));
  c.header("RateLimit-Remaining", String(decision.remaining));
  if (!decision.allowed) {
    throw new AppError(
      "rate_limited",
      "too many requests, retry later",
      undefined,
      decision.retryAfterSeconds,
    );
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
