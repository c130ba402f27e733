import { env } from "cloudflare:test";
import { openDatabase } from "@autopilot/db";
import { describe, expect, it } from "vitest";
import { normalizeQuestion } from "../src/analytics/dimensions.js";
import { isTransientDbError, retryDelaySeconds } from "../src/analytics/errors.js";
import type { InsertedEvent } from "../src/analytics/ingest.js";
import { applyEvents, emptyState, figuresOf, localDay } from "../src/analytics/live/state.js";
import { csvStream } from "../src/analytics/reports/csv.js";
import { enforceRetention } from "../src/analytics/retention.js";
import { createLogger } from "../src/lib/log.js";
import { deliver, ev, inspect, setTimeZone } from "./analytics-helpers.js";
import { bearer, call, createKey, signup } from "./helpers.js";

const e = (type: string, at: string, conv: string | null, value: number | null = null): InsertedEvent => ({
  id: crypto.randomUUID(),
  type,
  occurred_at: at,
  conversation_id: conv,
  detail: null,
  value,
});

describe("live state (pure)", () => {
  it("local day follows the tenant's time zone", () => {
    expect(localDay("2026-03-10T23:30:00Z", "Europe/Berlin")).toBe("2026-03-11");
    expect(localDay("2026-03-10T23:30:00Z", "UTC")).toBe("2026-03-10");
  });

  it("counts active / waiting / leads today / median first response, tolerating out-of-order events", () => {
    const now = new Date("2026-03-10T23:45:00Z"); // 00:45 on the 11th in Berlin
    let s = emptyState("Europe/Berlin", now);
    s = applyEvents(
      s,
      [
        e("conversation.closed", "2026-03-10T23:40:00Z", "a"), // arrives before its start
        e("conversation.started", "2026-03-10T23:10:00Z", "a"),
        e("conversation.started", "2026-03-10T23:20:00Z", "b"),
        e("handoff.requested", "2026-03-10T23:21:00Z", "b"),
        e("lead.created", "2026-03-10T22:50:00Z", "b"), // 23:50 on the 10th in Berlin: not today
        e("lead.created", "2026-03-10T23:30:00Z", "b"),
        e("message.sent", "2026-03-10T23:22:00Z", "b", 30),
        e("message.sent", "2026-03-10T23:23:00Z", "b", 99), // not the first response
      ],
      "Europe/Berlin",
      now,
    );
    expect(figuresOf(s, now)).toEqual({
      day: "2026-03-11",
      timeZone: "Europe/Berlin",
      activeConversations: 1,
      waitingForHuman: 1,
      leadsToday: 1,
      medianFirstResponseSeconds: 30,
    });
    // The next local day starts from zero for "today" figures; open conversations stay open.
    const tomorrow = new Date("2026-03-11T23:30:00Z");
    expect(figuresOf(s, tomorrow)).toMatchObject({
      day: "2026-03-12",
      leadsToday: 0,
      activeConversations: 1,
    });
  });
});

describe("analytics helpers", () => {
  it("normalises questions, classifies errors and backs off", () => {
    expect(normalizeQuestion("  Do you   SHIP to Mars?? ")).toBe("do you ship to mars");
    expect(isTransientDbError({ code: "40P01" })).toBe(true);
    expect(isTransientDbError({ code: "08006" })).toBe(true);
    expect(isTransientDbError(new Error("socket closed"))).toBe(true);
    expect(isTransientDbError({ code: "23503" })).toBe(false);
    expect([1, 2, 3, 9, 20].map(retryDelaySeconds)).toEqual([2, 4, 8, 300, 300]);
  });

  it("CSV quotes and defuses formulas", async () => {
    const text = await new Response(
      csvStream([
        { a: "x,y", b: 1 },
        { a: "=cmd()", c: 'say "hi"' },
      ]),
    ).text();
    expect(text).toBe('a,b,c\r\n"x,y",1,\r\n\'=cmd(),,"say ""hi"""\r\n');
  });
});

describe("retention", () => {
  it("deletes events and rollups older than the tenant's retention, nothing newer", async () => {
    const s = await signup();
    const old = new Date(Date.now() - 40 * 86_400_000).toISOString();
    const recent = new Date(Date.now() - 5 * 86_400_000).toISOString();
    await deliver([
      ev(s.tenantId, "conversation.started", old, { channel: "web" }, { conversation: "old" }),
      ev(s.tenantId, "conversation.started", recent, { channel: "web" }, { conversation: "new" }),
    ]);
    await inspect("insert into analytics_settings (tenant_id, retention_days) values ($1, 30)", [s.tenantId]);
    const db = openDatabase({ url: env.DATABASE_URL, bridge: env.DB_BRIDGE });
    const deleted = await enforceRetention(db, createLogger({ test: "retention" }));
    await db.end();
    expect(deleted).toBeGreaterThanOrEqual(1);
    const left = await inspect<{ conversation_id: string }>(
      "select conversation_id from analytics_events where tenant_id = $1 and type = 'conversation.started'",
      [s.tenantId],
    );
    expect(left).toEqual([{ conversation_id: "new" }]);
    const buckets = await inspect<{ n: number }>(
      "select sum(count)::int as n from analytics_rollups where tenant_id = $1 and type = 'conversation.started'",
      [s.tenantId],
    );
    expect(buckets[0]?.n).toBe(1);
  });
});

describe("daily rollups", () => {
  it("are kept incrementally for the tenant's zone after the first rebuild, exactly (redelivery included)", async () => {
    const s = await signup();
    await setTimeZone(s.tenantId, "Europe/Berlin");
    let key = (await createKey(s, "viewer", ["read"])).secret;
    const channels = async () =>
      (await call("/v1/reports/channels?from=2026-11-02&to=2026-11-03", { headers: bearer(key) })).json.rows;
    const first = ev(
      s.tenantId,
      "conversation.started",
      "2026-11-02T10:00:00Z",
      { channel: "web" },
      { conversation: "a" },
    );
    await deliver([first]);
    expect(await channels()).toEqual([
      { period: "2026-11-02", channel: "web", conversations: 1, messagesReceived: 0, messagesSent: 0 },
    ]);
    // Now the daily rows exist for Europe/Berlin: ingest adds to them (23:30 UTC = the 3rd in Berlin).
    const late = ev(
      s.tenantId,
      "conversation.started",
      "2026-11-02T23:30:00Z",
      { channel: "web" },
      { conversation: "b" },
    );
    await deliver([late, first]);
    await deliver([late]);
    expect(await channels()).toEqual([
      { period: "2026-11-02", channel: "web", conversations: 1, messagesReceived: 0, messagesSent: 0 },
      { period: "2026-11-03", channel: "web", conversations: 1, messagesReceived: 0, messagesSent: 0 },
    ]);
    const zones = await inspect<{ time_zone: string }>(
      "select time_zone from analytics_daily_zones where tenant_id = $1",
      [s.tenantId],
    );
    expect(zones).toEqual([{ time_zone: "Europe/Berlin" }]);
    // A zone change rebuilds them from the 15-minute buckets: both now on the 2nd in New York.
    await setTimeZone(s.tenantId, "America/New_York");
    key = (await createKey(s, "viewer", ["read"])).secret; // keys cache their tenant's zone
    expect(await channels()).toEqual([
      { period: "2026-11-02", channel: "web", conversations: 2, messagesReceived: 0, messagesSent: 0 },
    ]);
  });
});
