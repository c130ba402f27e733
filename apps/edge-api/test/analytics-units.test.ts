import { env } from "cloudflare:test";
import { openDatabase } from "@autopilot/db";
import { describe, expect, it } from "vitest";
import { normalizeQuestion } from "../src/analytics/dimensions.js";
import { isTransientDbError, retryDelaySeconds } from "../src/analytics/errors.js";
import { foldDueTenants } from "../src/analytics/fold.js";
import type { InsertedEvent } from "../src/analytics/ingest.js";
import { applyEvents, emptyState, figuresOf, localDay } from "../src/analytics/live/state.js";
import { csvStream } from "../src/analytics/reports/csv.js";
import { enforceRetention, pruneFailedEvents, rejectedRetentionDays } from "../src/analytics/retention.js";
import { createLogger } from "../src/lib/log.js";
import { deliver, ev, fold, inspect, setTimeZone } from "./analytics-helpers.js";
import { bearer, call, createKey, signup } from "./helpers.js";

const e = (
  type: string,
  at: string,
  conv: string | null,
  value: number | null = null,
  detail: string | null = type === "message.sent" ? "agent" : null,
): InsertedEvent => ({
  id: crypto.randomUUID(),
  type,
  occurred_at: at,
  conversation_id: conv,
  detail,
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
        e("message.sent", "2026-03-10T23:21:00Z", "b", 0, "bot"), // the bot's instant reply: not counted
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
      lastEventAt: now.getTime(),
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
    expect([1, 2, 3, 9, 10, 20].map(retryDelaySeconds)).toEqual([2, 4, 8, 512, 900, 900]);
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

describe("the cron's fold sweep", () => {
  it("folds every tenant with new events, and only what is new", async () => {
    const a = await signup();
    const b = await signup();
    const at = new Date(Date.now() - 3_600_000).toISOString();
    await deliver([
      ev(a.tenantId, "conversation.started", at, { channel: "web" }, { conversation: "sa1" }),
      ev(a.tenantId, "conversation.started", at, { channel: "web" }, { conversation: "sa2" }),
      ev(b.tenantId, "conversation.started", at, { channel: "web" }, { conversation: "sb1" }),
    ]);
    // The cron sweeps up to 200 tenants a minute; the other tests' tenants with events not yet folded
    // may fill a sweep (on the server they are many), so it sweeps as the minutes would, until done.
    const db = openDatabase({ url: env.DATABASE_URL, bridge: env.DB_BRIDGE });
    let folded = 0;
    try {
      for (let sweep = 0; sweep < 50; sweep++) {
        const n = await foldDueTenants(db, createLogger({ test: "fold" }));
        folded += n;
        if (n === 0) break;
      }
    } finally {
      await db.end();
    }
    expect(folded).toBeGreaterThanOrEqual(3);
    // Nothing left for either, and each counted once.
    expect(await fold(a.tenantId)).toBe(0);
    expect(await fold(b.tenantId)).toBe(0);
    const started = async (t: string) =>
      (
        await inspect<{ n: number }>(
          "select sum(count)::int as n from analytics_rollups where tenant_id = $1 and type = 'conversation.started'",
          [t],
        )
      )[0]?.n;
    expect([await started(a.tenantId), await started(b.tenantId)]).toEqual([2, 1]);
  });
});

describe("failed-event retention", () => {
  it("deletes dead letters older than each tenant's setting and set-aside events older than the env's days", async () => {
    const a = await signup();
    const b = await signup();
    await inspect("insert into analytics_settings (tenant_id, dead_letter_retention_days) values ($1, 60)", [
      b.tenantId,
    ]);
    const days = (n: number) => new Date(Date.now() - n * 86_400_000).toISOString();
    const letter = (tenant: string, age: number) =>
      inspect<{ id: string }>(
        `insert into analytics_dead_letters (tenant_id, event_id, body, created_at)
         values ($1, gen_random_uuid(), '{}', $2) returning id`,
        [tenant, days(age)],
      ).then((r) => r[0]?.id);
    const aOld = await letter(a.tenantId, 40); // a keeps the default 30 days
    const aNew = await letter(a.tenantId, 5);
    const bOld = await letter(b.tenantId, 40); // b keeps 60
    const rejected = (age: number) =>
      inspect<{ id: string }>(
        `insert into events_rejected (queue, message_id, body, reason, created_at)
         values ('events', 'm', '{}', 'test', $1) returning id`,
        [days(age)],
      ).then((r) => r[0]?.id);
    const rOld = await rejected(15);
    const rNew = await rejected(5);
    const db = openDatabase({ url: env.DATABASE_URL, bridge: env.DB_BRIDGE });
    const pruned = await pruneFailedEvents(
      db,
      createLogger({ test: "prune" }),
      rejectedRetentionDays({ EVENTS_REJECTED_RETENTION_DAYS: "10" }),
    );
    await db.end();
    expect(pruned.deadLetters).toBeGreaterThanOrEqual(1);
    const letters = await inspect<{ id: string }>(
      "select id from analytics_dead_letters where id = any($1::uuid[])",
      [[aOld, aNew, bOld]],
    );
    expect(letters.map((r) => r.id).sort()).toEqual([aNew, bOld].sort());
    const left = await inspect<{ id: string }>("select id from events_rejected where id = any($1::uuid[])", [
      [rOld, rNew],
    ]);
    expect(left).toEqual([{ id: rNew }]);
    expect(rejectedRetentionDays({})).toBe(30);
    expect(rejectedRetentionDays({ EVENTS_REJECTED_RETENTION_DAYS: "-1" })).toBe(30);
  });
});

describe("daily rollups", () => {
  it("the funnel cohort is kept at ingest exactly: any order, duplicates, concurrent batches, a start moving day and channel", async () => {
    const s = await signup();
    await setTimeZone(s.tenantId, "Europe/Berlin");
    const key = (await createKey(s, "viewer", ["read"])).secret;
    const funnel = async (query = "") =>
      (await call(`/v1/reports/funnel?from=2026-11-01&to=2026-11-05${query}`, { headers: bearer(key) })).json
        .rows;
    // The first report creates the daily rows for Berlin: from then on ingest keeps the cohort.
    expect(await funnel()).toEqual([]);
    const t = s.tenantId;
    const conv = (c: string) => ({ conversation: c });
    const events = [
      // 23:30 UTC on the 2nd is the 3rd in Berlin.
      ev(t, "conversation.started", "2026-11-02T23:30:00Z", { channel: "telegram" }, conv("a")),
      ev(t, "message.received", "2026-11-02T23:31:00Z", { channel: "telegram", length: 3 }, conv("a")),
      ev(t, "form.completed", "2026-11-02T23:35:00Z", { routeId: "r", fields: ["email"] }, conv("a")),
      ev(
        t,
        "lead.created",
        "2026-11-02T23:36:00Z",
        { source: "chat", routeId: "r" },
        { lead: "la", conversation: "a" },
      ),
      ev(
        t,
        "lead.status_changed",
        "2026-11-04T09:00:00Z",
        { from: "new", to: "sql", reason: null },
        { lead: "la" },
      ),
      ev(t, "conversation.started", "2026-11-02T10:00:00Z", { channel: "web" }, conv("b")),
    ];
    for (const e of [...events].reverse()) await deliver([e]);
    await Promise.all([deliver(events), deliver([...events].reverse()), deliver(events.slice(2))]);
    const day3 = { period: "2026-11-03", started: 1, engaged: 1, formCompleted: 1, leads: 1, sqls: 1 };
    expect(await funnel()).toEqual([
      {
        period: "2026-11-02",
        started: 1,
        engaged: 0,
        formCompleted: 0,
        leads: 0,
        sqls: 0,
        deals: 0,
        won: 0,
        conversionRate: 0,
      },
      { ...day3, deals: 0, won: 0, conversionRate: 0 },
    ]);
    // A second start of "a", earlier (the 2nd in Berlin) on the web: the conversation and every stage
    // it reached move to the 2nd and to web.
    await deliver([ev(t, "conversation.started", "2026-11-02T20:00:00Z", { channel: "web" }, conv("a"))]);
    const moved = { period: "2026-11-02", started: 2, engaged: 1, formCompleted: 1, leads: 1, sqls: 1 };
    expect(await funnel()).toEqual([{ ...moved, deals: 0, won: 0, conversionRate: 0 }]);
    expect(await funnel("&channel=telegram")).toEqual([]);
    // Kept incrementally, it equals a rebuild from the per-conversation rows.
    const kept = await inspect<Record<string, unknown>>(
      `select day::text, channel, started::int, engaged::int, form_completed::int, leads::int, sqls::int
       from analytics_funnel_daily where tenant_id = $1 and (started, engaged, form_completed, leads, sqls) <> (0, 0, 0, 0, 0)
       order by day, channel`,
      [t],
    );
    const rebuilt = await inspect<Record<string, unknown>>(
      `select (started_at at time zone 'Europe/Berlin')::date::text as day, channel, count(*)::int as started,
         count(engaged_at)::int as engaged, count(form_completed_at)::int as form_completed,
         count(lead_at)::int as leads, count(sql_at)::int as sqls
       from analytics_funnel where tenant_id = $1 group by 1, 2 order by 1, 2`,
      [t],
    );
    expect(kept).toEqual(rebuilt);
  });

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
