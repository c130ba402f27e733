import { businessHours, withTenant } from "@autopilot/db";
import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { say, startConversation, type Tenant, tenantWithWidget, texts } from "./conversation-helpers.js";
import { bearer, call, createKey, ownerDb, type Session, signup } from "./helpers.js";

// Business hours (GET/PUT /v1/settings/business-hours): validation naming the field, admins only, per
// tenant, and what conversations do with them. Tenants here are in UTC (the signup default); "closed
// today" closes yesterday, today and tomorrow so the test holds across midnight.

const PATH = "/v1/settings/business-hours";
const ALL_DAY = { open: "00:00", close: "24:00" };
const EVERY_DAY = Object.fromEntries(
  ["mon", "tue", "wed", "thu", "fri", "sat", "sun"].map((d) => [d, [ALL_DAY]]),
);
const isoDay = (offsetDays: number) =>
  new Date(Date.now() + offsetDays * 86_400_000).toISOString().slice(0, 10);
const AROUND_TODAY = [isoDay(-1), isoDay(0), isoDay(1)];

const put = (s: Pick<Session, "auth">, body: unknown) => call(PATH, { method: "PUT", body, headers: s.auth });

/** Field names of a 400's issues. */
const fields = (res: { json: { error: { details?: { issues?: { field: string }[] } } } }) =>
  (res.json.error.details?.issues ?? []).map((i) => i.field);

describe("business hours settings", () => {
  it("reads 'not set' first, saves, and reads back what it saved", async () => {
    const s = await signup();
    const initial = await call(PATH, { headers: s.auth });
    expect(initial.status).toBe(200);
    expect(initial.json).toEqual({
      enabled: false,
      weekly: {},
      closedDates: [],
      timeZone: "UTC",
      updatedAt: null,
    });

    const saved = await put(s, {
      enabled: true,
      weekly: {
        mon: [
          { open: "09:00", close: "12:00" },
          { open: "13:00", close: "17:30" },
        ],
        tue: [{ open: "09:00", close: "17:00" }],
        sat: [],
      },
      closedDates: ["2026-12-25", "2026-12-24", "2026-12-25"],
    });
    expect(saved.status, JSON.stringify(saved.json)).toBe(200);
    const read = await call(PATH, { headers: s.auth });
    expect(read.json).toMatchObject({
      enabled: true,
      // A day without intervals is closed, stored as absent; dates sorted, repeats dropped.
      weekly: {
        mon: [
          { open: "09:00", close: "12:00" },
          { open: "13:00", close: "17:30" },
        ],
        tue: [{ open: "09:00", close: "17:00" }],
      },
      closedDates: ["2026-12-24", "2026-12-25"],
      timeZone: "UTC",
    });
    expect(read.json.weekly.sat).toBeUndefined();
    expect(typeof read.json.updatedAt).toBe("string");
  });

  it("refuses bad input with a 400 naming the field", async () => {
    const s = await signup();
    const cases: [unknown, string, RegExp][] = [
      [
        { enabled: true, weekly: { mon: [{ open: "17:00", close: "09:00" }] } },
        "weekly.mon.0.close",
        /after/,
      ],
      [{ enabled: true, weekly: { tue: [{ open: "9:00", close: "17:00" }] } }, "weekly.tue.0.open", /HH:MM/],
      [
        { enabled: true, weekly: { wed: [{ open: "09:00", close: "24:30" }] } },
        "weekly.wed.0.close",
        /HH:MM/,
      ],
      [
        {
          enabled: true,
          weekly: {
            thu: [
              { open: "09:00", close: "13:00" },
              { open: "12:00", close: "17:00" },
            ],
          },
        },
        "weekly.thu.1.open",
        /previous/,
      ],
      [{ enabled: true, weekly: { funday: [ALL_DAY] } }, "weekly", /funday/],
      [{ enabled: true, weekly: {}, closedDates: ["2026-02-30"] }, "closedDates.0", /date/],
      [{ enabled: true, weekly: {}, closedDates: ["2026-01-01", "tomorrow"] }, "closedDates.1", /date/],
      [{ weekly: {} }, "enabled", /.+/],
    ];
    for (const [body, field, message] of cases) {
      const res = await put(s, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(fields(res), JSON.stringify(res.json)).toContain(field);
      expect(res.json.error.message).toMatch(new RegExp(`^${field.replace(/\./g, "\\.")}: `));
      expect(res.json.error.message).toMatch(message);
    }
    // Nothing was saved by the refused requests.
    expect((await call(PATH, { headers: s.auth })).json.updatedAt).toBeNull();
  });

  it("only admins write; members read", async () => {
    const s = await signup();
    const body = { enabled: true, weekly: { mon: [ALL_DAY] } };
    for (const role of ["viewer", "agent"]) {
      const key = await createKey(s, role);
      const write = await put({ auth: bearer(key.secret) }, body);
      expect(write.status, role).toBe(403);
      expect((await call(PATH, { headers: bearer(key.secret) })).status, role).toBe(200);
    }
    const admin = await createKey(s, "admin");
    expect((await put({ auth: bearer(admin.secret) }, body)).status).toBe(200);
    expect((await call(PATH, { method: "PUT", body })).status).toBe(401);
  });

  it("is per tenant: one tenant's hours are neither seen nor changed by another", async () => {
    const a = await signup("Hours A");
    const b = await signup("Hours B");
    expect(
      (await put(a, { enabled: true, weekly: { mon: [ALL_DAY] }, closedDates: ["2026-07-01"] })).status,
    ).toBe(200);
    expect((await call(PATH, { headers: b.auth })).json).toMatchObject({ enabled: false, weekly: {} });
    expect((await put(b, { enabled: false, weekly: { fri: [ALL_DAY] } })).status).toBe(200);
    const mine = await call(PATH, { headers: a.auth });
    expect(mine.json).toMatchObject({
      enabled: true,
      weekly: { mon: [ALL_DAY] },
      closedDates: ["2026-07-01"],
    });
    expect(mine.json.weekly.fri).toBeUndefined();

    // Row-level security: inside B's tenant transaction, A's row does not exist, even unfiltered.
    const db = ownerDb();
    try {
      const seen = await withTenant(db, b.tenantId, async (tx) => ({
        rows: await tx.select({ tenantId: businessHours.tenantId }).from(businessHours),
        user: (await tx.execute(sql`select current_user as u`)).rows[0] as { u: string },
      }));
      expect(seen.user.u).toBe("app_user");
      expect(seen.rows.map((r) => r.tenantId)).toEqual([b.tenantId]);
    } finally {
      await db.end();
    }
  });
});

const callNow = {
  id: "call_now",
  name: "Call me now",
  description: "Visitor wants a phone call",
  examples: ["please call me", "can you phone me", "call me back", "I want a phone call"],
  entry: { businessHours: "open" },
  steps: [
    { id: "s1", kind: "say", text: "A colleague will call you within minutes.", next: "end" },
    { id: "end", kind: "end" },
  ],
};
const callLater = {
  ...callNow,
  id: "call_later",
  name: "Call me tomorrow",
  entry: { businessHours: "closed" },
  steps: [
    { id: "s1", kind: "say", text: "We are closed now: we will call you tomorrow morning.", next: "end" },
    { id: "end", kind: "end" },
  ],
};

async function closedToday(t: Tenant) {
  const res = await put(t, { enabled: true, weekly: EVERY_DAY, closedDates: AROUND_TODAY });
  expect(res.status, JSON.stringify(res.json)).toBe(200);
}
async function openAllDay(t: Tenant) {
  const res = await put(t, { enabled: true, weekly: EVERY_DAY, closedDates: [] });
  expect(res.status, JSON.stringify(res.json)).toBe(200);
}

describe("conversations and business hours", () => {
  it("out of hours a handoff asks for an email first; in hours it connects; a change applies to the next conversation", async () => {
    const t = await tenantWithWidget();
    // Not set: always open.
    const first = await startConversation(t);
    const inHours0 = await say(first, "talk to a human");
    expect(texts(inHours0).join(" ")).toMatch(/connecting you/);
    expect(inHours0.json.conversation.status).toBe("waiting");

    await closedToday(t);
    const closed = await startConversation(t);
    const asked = await say(closed, "talk to a human");
    expect(texts(asked).join(" ")).toMatch(/offline right now.*email/);
    expect(asked.json.conversation.status).toBe("bot");
    const given = await say(closed, "it's ada@example.com");
    expect(texts(given).join(" ")).toMatch(/follow up at ada@example.com/);
    expect(given.json.conversation.status).toBe("waiting");

    // Started while closed, finished on the hours it started with, even after the change below.
    const pinned = await startConversation(t);
    await openAllDay(t);
    expect(texts(await say(pinned, "talk to a human")).join(" ")).toMatch(/offline right now/);

    const open = await startConversation(t);
    const inHours = await say(open, "talk to a human");
    expect(texts(inHours).join(" ")).toMatch(/connecting you/);
    expect(inHours.json.conversation.status).toBe("waiting");

    // Switched off: always open, whatever the dates say.
    expect((await put(t, { enabled: false, weekly: {}, closedDates: AROUND_TODAY })).status).toBe(200);
    const off = await startConversation(t);
    expect(texts(await say(off, "talk to a human")).join(" ")).toMatch(/connecting you/);
  });

  it("routes with an hours entry condition: the open-hours route in hours, the closed-hours one out of hours", async () => {
    const t = await tenantWithWidget([callNow, callLater]);
    await closedToday(t);
    const c1 = await startConversation(t);
    expect(texts(await say(c1, "please call me")).join(" ")).toMatch(/call you tomorrow/);
    const tried = await call("/v1/routes/try", { body: { text: "please call me" }, headers: t.auth });
    expect(tried.json.routeId).toBe("call_later");

    await openAllDay(t);
    const c2 = await startConversation(t);
    expect(texts(await say(c2, "please call me")).join(" ")).toMatch(/within minutes/);
    const triedOpen = await call("/v1/routes/try", { body: { text: "please call me" }, headers: t.auth });
    expect(triedOpen.json.routeId).toBe("call_now");
  });
});
