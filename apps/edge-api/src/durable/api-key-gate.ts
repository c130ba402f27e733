import { DurableObject } from "cloudflare:workers";
import { type ApiKeyRow, isDatabaseUnavailable, lookups, openDatabase } from "@autopilot/db";
import type { Env } from "../env.js";
import { timingSafeEqual } from "../lib/crypto.js";
import { FixedWindow, type RateDecision } from "./fixed-window.js";

// A cached key is re-read after this long, which also bounds how often last_used_at is written.
// The cached row carries the tenant's time zone too: after a zone change, requests with an API key
// use the old zone for up to this long (reports' days, live "today"); session requests see it at
// once. Accepted: zones change rarely, and the daily rollups are rebuilt for whichever zone asks.
const FRESH_MS = 60_000;
// A wrong secret is remembered briefly so a flood of bad guesses does not reach the database.
const NEGATIVE_MS = 10_000;

export type GateResult =
  | { ok: true; key: ApiKeyRow; rate: RateDecision; dbRoundTrips: number }
  | { ok: false; reason: "invalid" | "revoked" | "unavailable"; rate: RateDecision; dbRoundTrips: number };

/**
 * One object per API key prefix: verifies the key and counts its requests. The key's row is cached
 * here (the DO is the single place every request with that prefix passes through, so revocation can
 * be pushed to it), which takes authenticated requests off the database: at most one look-up a
 * minute per key. Revoking a key marks it here right after the database commit.
 */
export class ApiKeyGate extends DurableObject<Env> {
  private cached: { secretHash: string; row: ApiKeyRow; fetchedAt: number } | undefined;
  private rejected = new Map<string, number>();
  private window = new FixedWindow();

  async check(prefix: string, secretHash: string, limitPerMinute: number): Promise<GateResult> {
    const rate = this.window.hit(limitPerMinute);
    const now = Date.now();
    const cached = this.cached;
    if (cached && now - cached.fetchedAt < FRESH_MS) {
      if (!timingSafeEqual(cached.secretHash, secretHash))
        return { ok: false, reason: "invalid", rate, dbRoundTrips: 0 };
      return this.verdict(cached.row, rate, 0);
    }
    const rejectedAt = this.rejected.get(secretHash);
    if (rejectedAt !== undefined && now - rejectedAt < NEGATIVE_MS) {
      return { ok: false, reason: "invalid", rate, dbRoundTrips: 0 };
    }
    const db = openDatabase({ url: this.env.DATABASE_URL, bridge: this.env.DB_BRIDGE });
    try {
      let row: ApiKeyRow | undefined;
      try {
        row = await lookups.apiKey(db, prefix, secretHash);
      } catch (error) {
        if (!isDatabaseUnavailable(error)) throw error;
        // Database down: a key verified before keeps working from the cache (stale), a new one waits.
        if (cached && timingSafeEqual(cached.secretHash, secretHash))
          return this.verdict(cached.row, rate, 1);
        return { ok: false, reason: "unavailable", rate, dbRoundTrips: 1 };
      }
      if (!row) {
        if (this.rejected.size > 1000) this.rejected.clear();
        this.rejected.set(secretHash, now);
        return { ok: false, reason: "invalid", rate, dbRoundTrips: 1 };
      }
      this.cached = { secretHash, row, fetchedAt: now };
      return this.verdict(row, rate, 1);
    } finally {
      this.ctx.waitUntil(db.end());
    }
  }

  /** Called after its creator's role changes: the next request reads the key's capped role afresh. */
  forget(): void {
    this.cached = undefined;
  }

  /** Called after a revocation commits: the key stops working at once, not when the cache expires. */
  markRevoked(): void {
    if (this.cached) this.cached.row = { ...this.cached.row, revoked: true };
  }

  private verdict(row: ApiKeyRow, rate: RateDecision, dbRoundTrips: number): GateResult {
    return row.revoked
      ? { ok: false, reason: "revoked", rate, dbRoundTrips }
      : { ok: true, key: row, rate, dbRoundTrips };
  }
}
