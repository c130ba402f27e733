export type RateDecision = { allowed: boolean; remaining: number; retryAfterSeconds: number };

/** A fixed one-minute window counter, kept in a Durable Object's memory (never an isolate's). */
export class FixedWindow {
  private windowStart = 0;
  private count = 0;

  hit(limit: number, windowMs = 60_000): RateDecision {
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
