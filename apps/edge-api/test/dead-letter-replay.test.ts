import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { MAX_RETRY_DELAY_SECONDS, retryDelaySeconds } from "../src/analytics/errors.js";
import { replayPendingDeadLetters } from "../src/analytics/replay.js";
import { createLogger } from "../src/lib/log.js";
import { deliver, ev, inspect } from "./analytics-helpers.js";
import { ownerDb, signup } from "./helpers.js";

// Analytics events are never lost to an outage (issue 15, item 13): the queue's retries wait out about a
// day, and events that still ran out of retries are replayed by the cron on its own once the database
// answers again, landing once.

const T = "2026-03-02T10:00:00.000Z";

describe("events through an outage", () => {
  it("retries back off to 15 minutes and together wait out about a day", () => {
    const delays = Array.from({ length: 100 }, (_, i) => retryDelaySeconds(i + 1));
    expect(Math.max(...delays)).toBe(MAX_RETRY_DELAY_SECONDS);
    expect(delays.reduce((a, b) => a + b, 0)).toBeGreaterThan(20 * 3600);
  });

  it("dead letters are replayed by the cron without anyone asking, and land once", async () => {
    const s = await signup("Replay");
    const events = [1, 2, 3].map((i) =>
      ev(s.tenantId, "lead.created", T, { source: "api", routeId: null }, { lead: `r${i}` }),
    );
    expect((await deliver(events, "events-dlq")).explicitAcks).toHaveLength(3);
    const db = ownerDb();
    try {
      const log = createLogger({ test: "replay" });
      expect(await replayPendingDeadLetters(db, env.EVENTS, log)).toBeGreaterThanOrEqual(3);
      const pending = await inspect<{ n: number }>(
        "select count(*)::int as n from analytics_dead_letters where tenant_id = $1 and replayed_at is null",
        [s.tenantId],
      );
      expect(pending[0]?.n).toBe(0);
      // The next tick has nothing of this tenant's left to send.
      await replayPendingDeadLetters(db, env.EVENTS, log);
      let landed = 0;
      for (let i = 0; i < 100 && landed < 3; i++) {
        landed =
          (
            await inspect<{ n: number }>(
              "select count(*)::int as n from analytics_events where tenant_id = $1 and type = 'lead.created'",
              [s.tenantId],
            )
          )[0]?.n ?? 0;
        if (landed < 3) await new Promise((r) => setTimeout(r, 100));
      }
      expect(landed).toBe(3);
    } finally {
      await db.end();
    }
  });
});
