import { env, SELF } from "cloudflare:test";
import { openDatabase } from "@autopilot/db";
import { eventSchema } from "@autopilot/sdk";
import { describe, expect, it } from "vitest";
import { ingestMessages } from "../src/analytics/consume.js";
import { toEventRow } from "../src/analytics/dimensions.js";
import { createLogger } from "../src/lib/log.js";
import { deliver, ev, fold, inspect } from "./analytics-helpers.js";
import { bearer, call, createKey, ownerDb, signup } from "./helpers.js";

const T = "2026-11-20T10:00:00.000Z";

/** Events stored and what the rollups count, after folding what is new. */
async function counts(tenantId: string) {
  await fold(tenantId);
  const events = await inspect<{ type: string; n: number }>(
    "select type, count(*)::int as n from analytics_events where tenant_id = $1 and type like 'conversation.%' or (tenant_id = $1 and type like 'lead.%') group by type order by type",
    [tenantId],
  );
  const rollups = await inspect<{ type: string; n: number }>(
    "select type, sum(count)::int as n from analytics_rollups where tenant_id = $1 and (type like 'conversation.%' or type like 'lead.%') group by type order by type",
    [tenantId],
  );
  return { events, rollups };
}

describe("analytics ingest", () => {
  it("the same event delivered twice, or out of order, counts once (events and rollups)", async () => {
    const s = await signup();
    const started = ev(s.tenantId, "conversation.started", T, { channel: "web" }, { conversation: "c1" });
    const closed = ev(
      s.tenantId,
      "conversation.closed",
      "2026-11-20T10:05:00.000Z",
      { reason: "resolved", durationSeconds: 300 },
      { conversation: "c1" },
    );
    const lead = ev(
      s.tenantId,
      "lead.created",
      T,
      { source: "chat", routeId: null },
      { lead: "l1", conversation: "c1" },
    );
    // Out of order first (closed before started), folded; then everything again, then a duplicate in
    // one batch, folded at once.
    const first = await deliver([closed, lead]);
    expect(first.explicitAcks).toHaveLength(2);
    const [stored] = await inspect<{ n: number }>(
      "select count(*)::int as n from analytics_events where tenant_id = $1",
      [s.tenantId],
    );
    expect(await fold(s.tenantId)).toBe(stored?.n); // every stored event, signup's own too
    expect(await fold(s.tenantId)).toBe(0);
    await deliver([started, closed, lead]);
    await deliver([started, started]);
    const { events, rollups } = await counts(s.tenantId);
    const expected = [
      { type: "conversation.closed", n: 1 },
      { type: "conversation.started", n: 1 },
      { type: "lead.created", n: 1 },
    ];
    expect(events).toEqual(expected);
    expect(rollups).toEqual(expected);
    const [sum] = await inspect<{ v: number }>(
      "select sum(value_sum)::float8 as v from analytics_rollups where tenant_id = $1 and type = 'conversation.closed'",
      [s.tenantId],
    );
    expect(sum?.v).toBe(300);
  });

  it("an event whose batch commits during a fold is folded by the next fold, once", async () => {
    const s = await signup();
    await fold(s.tenantId);
    const early = ev(s.tenantId, "conversation.started", T, { channel: "web" }, { conversation: "x1" });
    const late = ev(s.tenantId, "conversation.started", T, { channel: "web" }, { conversation: "x2" });
    if (env.DATABASE_KIND === "postgres") {
      // A batch's transaction stays open (not yet committed) while another batch commits and a fold
      // runs. (PGlite runs one transaction at a time, so there the late batch simply comes after.)
      const db = ownerDb();
      const client = await db.pool.connect();
      try {
        await client.query("begin");
        await client.query("select * from analytics_ingest($1::json)", [
          JSON.stringify([{ tenant: s.tenantId, rows: [toEventRow(eventSchema.parse(late))] }]),
        ]);
        await deliver([early]);
        expect(await fold(s.tenantId)).toBe(1);
        await client.query("commit");
      } finally {
        client.release();
        await db.end();
      }
    } else {
      await deliver([early]);
      expect(await fold(s.tenantId)).toBe(1);
      await deliver([late]);
    }
    expect(await fold(s.tenantId)).toBe(1);
    expect(await fold(s.tenantId)).toBe(0);
    const { rollups } = await counts(s.tenantId);
    expect(rollups).toContainEqual({ type: "conversation.started", n: 2 });
  });

  it("the funnel table is the same under duplicates, any order and concurrent batches", async () => {
    const s = await signup();
    const t = s.tenantId;
    const at = (h: number) => new Date(Date.parse(T) + h * 3_600_000).toISOString();
    const events = [
      ev(t, "conversation.started", at(0), { channel: "web" }, { conversation: "f1" }),
      ev(t, "message.received", at(1), { channel: "web", length: 3 }, { conversation: "f1" }),
      ev(t, "message.received", at(0.5), { channel: "web", length: 3 }, { conversation: "f1" }),
      ev(t, "form.completed", at(2), { routeId: "r1", fields: ["email"] }, { conversation: "f1" }),
      ev(t, "lead.created", at(3), { source: "chat", routeId: "r1" }, { lead: "fl", conversation: "f1" }),
      ev(t, "lead.status_changed", at(4), { from: "new", to: "sql", reason: null }, { lead: "fl" }),
      ev(
        t,
        "deal.created",
        at(5),
        { pipelineId: "p", stageId: "s", ownerId: "u", amount: 1, currency: "EUR" },
        { deal: "fd", lead: "fl" },
      ),
      ev(t, "deal.won", at(6), { pipelineId: "p", ownerId: "u", amount: 1, currency: "EUR" }, { deal: "fd" }),
      // A deal without deal.created linking it to the lead does not count.
      ev(t, "deal.won", at(7), { pipelineId: "p", ownerId: "u", amount: 1, currency: "EUR" }, { deal: "x" }),
      ev(t, "conversation.started", at(0), { channel: "telegram" }, { conversation: "f2" }),
    ];
    // Links last (reverse order, one event per batch, each folded alone), then everything at once
    // concurrently, twice, with folds running beside the batches.
    for (const e of [...events].reverse()) {
      await deliver([e]);
      await fold(t);
    }
    await Promise.all([
      deliver(events).then(() => fold(t)),
      deliver([...events].reverse()).then(() => fold(t)),
      deliver(events.slice(3)),
      fold(t),
    ]);
    await fold(t);
    const expected = {
      conversation_id: "f1",
      started_at: at(0),
      channel: "web",
      engaged_at: at(0.5),
      form_completed_at: at(2),
      lead_at: at(3),
      sql_at: at(4),
      deal_at: at(5),
      won_at: at(6),
    };
    const funnel = async (tenant: string) =>
      (
        await inspect<Record<string, string | Date | null>>(
          `select conversation_id, started_at, channel, engaged_at, form_completed_at, lead_at, sql_at,
            deal_at, won_at from analytics_funnel where tenant_id = $1 order by conversation_id`,
          [tenant],
        )
      ).map((r) =>
        Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v instanceof Date ? v.toISOString() : v])),
      );
    const none = { engaged_at: null, form_completed_at: null, lead_at: null, sql_at: null };
    const f2 = { conversation_id: "f2", started_at: at(0), channel: "telegram", ...none };
    const f2All = { ...f2, deal_at: null, won_at: null };
    expect(await funnel(t)).toEqual([expected, f2All]);
    // Forward order, one batch each, on a fresh tenant: the same rows.
    const u = await signup();
    for (const e of events) {
      await deliver([{ ...e, id: crypto.randomUUID(), tenantId: u.tenantId }]);
      await fold(u.tenantId);
    }
    expect(await funnel(u.tenantId)).toEqual([expected, f2All]);
  });

  it("a poison event is set aside and acked; the rest of its batch lands, other tenants' too", async () => {
    const s = await signup();
    const other = await signup(); // the batch is one transaction for both tenants until it fails
    const good1 = ev(s.tenantId, "conversation.started", T, { channel: "web" }, { conversation: "p1" });
    const good2 = ev(
      s.tenantId,
      "knowledge.unanswered",
      T,
      { question: "Do you ship to Mars?" },
      { conversation: "p1" },
    );
    // Valid for zod but fails in the database (NUL is not storable in text/jsonb): fails alone.
    const failsAlone = ev(s.tenantId, "knowledge.unanswered", T, { question: "bad\u0000question" });
    const invalid = { ...ev(s.tenantId, "conversation.started", T, { channel: "" }), marker: "invalid" };
    const good3 = ev(other.tenantId, "conversation.started", T, { channel: "web" }, { conversation: "p2" });
    const result = await deliver([good1, failsAlone, good3, invalid, good2, "not even an object"]);
    expect(result.explicitAcks).toHaveLength(6);
    expect(result.retryMessages).toEqual([]);
    const landed = await inspect<{ id: string }>(
      "select id from analytics_events where tenant_id = $1 and type not in ('tenant.created', 'user.joined')",
      [s.tenantId],
    );
    expect(landed.map((r) => r.id).sort()).toEqual([good1.id, good2.id].sort());
    const otherCounts = await counts(other.tenantId);
    expect(otherCounts.rollups).toContainEqual({ type: "conversation.started", n: 1 });
    const rejected = await inspect<{ reason: string; claimed_tenant_id: string | null }>(
      "select reason, claimed_tenant_id from events_rejected where message_id = any($1::text[]) order by reason",
      [result.explicitAcks],
    );
    expect(rejected).toHaveLength(3);
    expect(rejected.map((r) => r.reason.split(":")[0]).sort()).toEqual([
      "failed alone",
      "invalid",
      "invalid",
    ]);
    expect(rejected.some((r) => r.reason.includes("properties.channel"))).toBe(true);
  });

  it("a transient database error retries the batch with backoff instead of acking", async () => {
    const s = await signup();
    const other = await signup();
    const e = ev(s.tenantId, "conversation.started", T, { channel: "web" }, { conversation: "r1" });
    const f = ev(other.tenantId, "conversation.started", T, { channel: "web" }, { conversation: "r2" });
    const down = { ...env, DATABASE_URL: "postgres://postgres@127.0.0.1:1/postgres" };
    const result = await deliver([e, f], "events", down);
    expect(result.explicitAcks).toEqual([]);
    expect(result.retryMessages).toHaveLength(2);
  });

  it("retries with growing delays (2, 4, 8… s) as attempts grow", async () => {
    const s = await signup();
    const retried: (number | undefined)[] = [];
    const message = (attempts: number) => ({
      id: `m${attempts}`,
      attempts,
      body: ev(s.tenantId, "conversation.started", T, { channel: "web" }),
      ack: () => {
        throw new Error("must not ack");
      },
      retry: (o?: { delaySeconds?: number }) => retried.push(o?.delaySeconds),
    });
    const down = openDatabase({ url: "postgres://postgres@127.0.0.1:1/postgres", bridge: env.DB_BRIDGE });
    const summary = await ingestMessages(down, "events", [message(1)], createLogger({}));
    await ingestMessages(down, "events", [message(3)], createLogger({}));
    await down.end();
    expect(summary).toMatchObject({ inserted: 0, retried: 1 });
    expect(retried).toEqual([2, 8]);
  });

  it("dead letters are stored per tenant and replayed through the queue, landing once", async () => {
    const s = await signup();
    const key = await createKey(s);
    const e1 = ev(s.tenantId, "lead.created", T, { source: "api", routeId: null }, { lead: "dl1" });
    const e2 = ev(s.tenantId, "lead.created", T, { source: "api", routeId: null }, { lead: "dl2" });
    const dlq = await deliver([e1, e2], "events-dlq");
    expect(dlq.explicitAcks).toHaveLength(2);
    const stored = await inspect<{ event_id: string }>(
      "select event_id from analytics_dead_letters where tenant_id = $1 and replayed_at is null",
      [s.tenantId],
    );
    expect(stored.map((r) => r.event_id).sort()).toEqual([e1.id, e2.id].sort());

    const replay = await call("/v1/analytics/dead-letters/replay", { body: {}, headers: bearer(key.secret) });
    expect(replay.status).toBe(200);
    expect(replay.json).toEqual({ replayed: 2, remaining: 0 });
    // Replaying again sends nothing more.
    expect(
      (await call("/v1/analytics/dead-letters/replay", { body: {}, headers: bearer(key.secret) })).json,
    ).toEqual({
      replayed: 0,
      remaining: 0,
    });
    // The real Queue delivers them to the consumer.
    let landed: { n: number }[] = [];
    for (let i = 0; i < 100; i++) {
      landed = await inspect<{ n: number }>(
        "select count(*)::int as n from analytics_events where tenant_id = $1 and type = 'lead.created'",
        [s.tenantId],
      );
      if (landed[0]?.n === 2) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(landed[0]?.n).toBe(2);
  });

  it("lists dead letters (pending, then all) and set-aside events, page by page, per tenant", async () => {
    const s = await signup();
    const other = await signup();
    const admin = (await createKey(s)).secret;
    const otherAdmin = (await createKey(other)).secret;
    const events = [1, 2, 3].map((i) =>
      ev(s.tenantId, "lead.created", T, { source: "api", routeId: null }, { lead: `list${i}` }),
    );
    await deliver(events, "events-dlq");
    const list = async (query: string, key = admin) =>
      (await call(`/v1/analytics/dead-letters${query}`, { headers: bearer(key) })).json;
    // Two pages of 2 + 1, newest first, nothing twice or missed (the three share one created_at).
    const first = await list("?limit=2");
    expect(first.items).toHaveLength(2);
    expect(first.next).toEqual(expect.any(String));
    const second = await list(`?limit=2&cursor=${encodeURIComponent(first.next)}`);
    expect(second).toMatchObject({ next: null });
    const all = [...first.items, ...second.items];
    expect(all.map((d: { eventId: string }) => d.eventId).sort()).toEqual(events.map((e) => e.id).sort());
    expect(all[0]).toMatchObject({ attempts: 1, replayedAt: null, event: { type: "lead.created" } });
    expect((await list("", otherAdmin)).items).toEqual([]);
    // Replayed ones leave the pending list and show under status=all with their replay time.
    await call("/v1/analytics/dead-letters/replay", { body: { limit: 1 }, headers: bearer(admin) });
    expect((await list("")).items).toHaveLength(2);
    const replayed = (await list("?status=all")).items.filter(
      (d: { replayedAt: string | null }) => d.replayedAt,
    );
    expect(replayed).toHaveLength(1);
    expect((await call("/v1/analytics/dead-letters?cursor=nope", { headers: bearer(admin) })).status).toBe(
      400,
    );
    const viewer = (await createKey(s, "viewer")).secret;
    expect((await call("/v1/analytics/dead-letters", { headers: bearer(viewer) })).status).toBe(403);

    // Set-aside events are listed to the tenant they name, and only to it.
    const poison = { ...ev(s.tenantId, "conversation.started", T, { channel: "" }), marker: "list" };
    await deliver([poison]);
    const rejected = (await call("/v1/analytics/rejected", { headers: bearer(admin) })).json;
    expect(rejected.items[0]).toMatchObject({
      queue: "events",
      body: { id: poison.id, marker: "list" },
      reason: expect.stringMatching(/^invalid: properties\.channel/),
    });
    expect((await call("/v1/analytics/rejected", { headers: bearer(otherAdmin) })).json.items).toEqual([]);
  });

  it("replay needs an admin; a viewer key is refused", async () => {
    const s = await signup();
    const viewer = await createKey(s, "viewer");
    const res = await call("/v1/analytics/dead-letters/replay", { body: {}, headers: bearer(viewer.secret) });
    expect(res.status).toBe(403);
  });

  it("live figures update after commit and are pushed over the WebSocket", async () => {
    const s = await signup();
    const key = await createKey(s, "viewer", ["read"]);
    const res = await SELF.fetch("https://api.test/v1/live", {
      headers: { upgrade: "websocket", ...bearer(key.secret) },
    });
    expect(res.status).toBe(101);
    const ws = res.webSocket;
    if (!ws) throw new Error("no websocket");
    const received: { type: string; figures: Record<string, unknown> }[] = [];
    ws.addEventListener("message", (m) => received.push(JSON.parse(String(m.data))));
    ws.accept();
    const now = new Date().toISOString();
    await deliver([
      ev(s.tenantId, "conversation.started", now, { channel: "web" }, { conversation: "w1" }),
      ev(s.tenantId, "conversation.started", now, { channel: "web" }, { conversation: "w2" }),
      ev(
        s.tenantId,
        "handoff.requested",
        now,
        { reason: "explicit", team: null, skill: null, outOfHours: false },
        { conversation: "w2" },
      ),
      ev(
        s.tenantId,
        "lead.created",
        now,
        { source: "chat", routeId: null },
        { lead: "wl", conversation: "w1" },
      ),
      ev(
        s.tenantId,
        "message.sent",
        now,
        { channel: "web", sender: "bot", agentId: null, responseSeconds: 0 },
        { conversation: "w1" },
      ),
      ev(
        s.tenantId,
        "message.sent",
        now,
        { channel: "web", sender: "agent", agentId: s.userId, responseSeconds: 4 },
        { conversation: "w1" },
      ),
      ev(
        s.tenantId,
        "message.sent",
        now,
        { channel: "web", sender: "agent", agentId: s.userId, responseSeconds: 10 },
        { conversation: "w2" },
      ),
    ]);
    for (let i = 0; i < 50 && received.length < 2; i++) await new Promise((r) => setTimeout(r, 50));
    expect(received[0]?.figures).toMatchObject({ activeConversations: 0, leadsToday: 0 });
    expect(received.at(-1)?.figures).toMatchObject({
      activeConversations: 2,
      waitingForHuman: 1,
      leadsToday: 1,
      medianFirstResponseSeconds: 7,
      timeZone: "UTC",
    });
    ws.close();
    // Without the upgrade header, or without credentials, no socket.
    expect((await call("/v1/live", { headers: bearer(key.secret) })).status).toBe(426);
    expect((await call("/v1/live", { headers: { upgrade: "websocket" } })).status).toBe(401);
    // Documented in the OpenAPI spec with its message schema.
    const spec = (await call("/v1/openapi.json")).json;
    expect(Object.keys(spec.paths["/v1/live"].get.responses)).toEqual(expect.arrayContaining(["101", "426"]));
    expect(spec.components.schemas.LiveFigures.properties.figures.properties).toHaveProperty("leadsToday");
  });
});
