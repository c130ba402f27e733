import { DurableObject } from "cloudflare:workers";

export type RateDecision = { allowed: boolean; remaining: number; retryAfterSeconds: number };

/**
 * One object per limited thing (an API key, a client IP on login…). A fixed window counted in the
 * object's memory: the object is the single place that sees every request for its key, which isolate
 * memory never is. Losing the count on eviction only ever lets a few extra requests through.
 */
export class RateLimiter extends DurableObject {
  private windowStart = 0;
  private count = 0;

  hit(limit: number, windowMs: number): RateDecision {
    const now = Date.now();
    if (now - this.windowStart >= windowMs) {
      this.windowStart = now;
      this.count = 0;
    }
    if (this.count >= limit) {
      return {
        allowed: false,
        remaining: 0,
        retryAfterSeconds: Math.ceil((this.windowStart + windowMs - now) / 1000),
      };
    }
    this.count++;
    return { allowed: true, remaining: limit - this.count, retryAfterSeconds: 0 };
  }
}
