import { DurableObject } from "cloudflare:workers";
import { FixedWindow, type RateDecision } from "./fixed-window.js";

export type { RateDecision };

/**
 * One object per limited thing (a client IP on login, a session…). The object is the single place
 * that sees every request for its key, which isolate memory never is. Losing the count on eviction
 * only ever lets a few extra requests through.
 */
export class RateLimiter extends DurableObject {
  private window = new FixedWindow();

  hit(limit: number, windowMs: number): RateDecision {
    return this.window.hit(limit, windowMs);
  }
}
