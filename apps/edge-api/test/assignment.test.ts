import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { assignLeads } from "../src/domain/assignment/assign-lead.js";
import { assignThroughCoordinator } from "../src/domain/assignment/coordinate.js";
import { runSalesJobs } from "../src/domain/sales-jobs.js";
import { createLogger } from "../src/lib/log.js";
import { bearer, call, createKey, ownerDb, signup } from "./helpers.js";
import { addReps, insertLeads } from "./sales-helpers.js";

async function workspace(name: string, reps: number) {
  const s = await signup(name);
  const h = bearer((await createKey(s)).secret);
  const ids = await addReps(s.tenantId, reps);
  const team = await call("/v1/teams", { body: { name: "Sales" }, headers: h });
  expect(team.status).toBe(201);
  return { s, h, ids, teamId: team.json.id as string };
}

const newLead = async (h: Record<string, string>, i: number, extra: Record<string, unknown> = {}) => {
  const res = await call("/v1/leads", {
    body: { title: `lead ${i}`, contact: { email: `l${i}-${Math.random()}@as.test` }, ...extra },
    headers: h,
  });
  expect(res.status).toBe(201);
  return res.json.id as string;
};

describe("assignment", () => {
  it("100 leads assigned concurrently by round-robin to 4 reps give each 25, every decision with a reason", async () => {
    const { s, h, ids, teamId } = await workspace("RR", 4);
    for (const id of ids)
      await call(`/v1/teams/${teamId}/members/${id}`, { method: "PUT", body: {}, headers: h });
    await call("/v1/assignment-rules", {
      method: "PUT",
      body: { rules: [{ name: "everyone", strategy: "round_robin", teamId }] },
      headers: h,
    });
    const leads = await insertLeads(s.tenantId, 100);
    // 100 assignments at once, through the per-team AssignmentCoordinator as the API does. (Called
    // in-process rather than over HTTP: PGlite's socket server interleaves concurrent non-transaction
    // queries such as the API-key look-up; on PostgreSQL the HTTP path behaves the same.)
    const db = ownerDb();
    const results = await Promise.all(
      leads.map((id) =>
        assignThroughCoordinator(env, db, s.tenantId, id).then(
          (r) => ({ status: 200, json: r }),
          (e: Error) => ({ status: 500, json: { error: e.message, lead: { ownerId: "none" } } }),
        ),
      ),
    );
    await db.end();
    expect(results.map((r) => r.status).filter((status) => status !== 200)).toEqual([]);
    const counts = new Map<string, number>();
    for (const r of results)
      counts.set(String(r.json.lead.ownerId), (counts.get(String(r.json.lead.ownerId)) ?? 0) + 1);
    expect([...counts.keys()].sort()).toEqual([...ids].sort());
    // The coordinator assigns what arrives together in batches: still exactly fair.
    expect([...counts.values()]).toEqual([25, 25, 25, 25]);
    const decisions = await call(`/v1/leads/${leads[0]}/decisions`, { headers: h });
    expect(decisions.json.decisions[0]).toMatchObject({
      strategy: "round_robin",
      reason: expect.stringMatching(/round robin/),
    });
  });

  it("a batch refuses a closed or unknown lead alone, keeps capacity and round-robin across its leads", async () => {
    const { s, h, ids, teamId } = await workspace("Batch", 3);
    const [small, a, b] = ids as [string, string, string];
    for (const id of ids)
      await call(`/v1/teams/${teamId}/members/${id}`, {
        method: "PUT",
        body: id === small ? { capacity: 1 } : {},
        headers: h,
      });
    await call("/v1/assignment-rules", {
      method: "PUT",
      body: { rules: [{ name: "everyone", strategy: "round_robin", teamId }] },
      headers: h,
    });
    const leads = await insertLeads(s.tenantId, 9);
    const closed = leads[4] as string;
    expect(
      (
        await call(`/v1/leads/${closed}`, {
          method: "PATCH",
          body: { status: "disqualified", disqualifyReason: "spam" },
          headers: h,
        })
      ).status,
    ).toBe(200);
    const db = ownerDb();
    const out = await assignLeads(db, s.tenantId, [
      ...leads.map((leadId) => ({ leadId })),
      { leadId: crypto.randomUUID() },
    ]);
    await db.end();
    expect(out.map((o) => (o.ok ? "ok" : o.error.code))).toEqual([
      "ok",
      "ok",
      "ok",
      "ok",
      "lead_closed",
      "ok",
      "ok",
      "ok",
      "ok",
      "not_found",
    ]);
    const owners = out.flatMap((o) => (o.ok ? [o.lead.ownerId] : []));
    // The member with room for one lead gets one; the other two share the rest in turn.
    expect(owners.filter((o) => o === small)).toHaveLength(1);
    const shares = [a, b].map((id) => owners.filter((o) => o === id).length).sort();
    expect(shares).toEqual([3, 4]);
    // Each assignment is recorded as one made alone would be.
    const decisions = await call(`/v1/leads/${leads[8]}/decisions`, { headers: h });
    expect(decisions.json.decisions[0]).toMatchObject({ strategy: "round_robin" });
    const first = await call(`/v1/leads/${leads[0]}`, { headers: h });
    expect(first.json.slaDueAt).not.toBeNull();
  });

  it("respects capacity, working hours, out-of-office and presence; falls back to the queue", async () => {
    const { h, ids, teamId } = await workspace("Avail", 5);
    const [away, full, offHours, ooo, ready] = ids as [string, string, string, string, string];
    const today = new Date().toISOString().slice(0, 10);
    const otherDay = (new Date().getUTCDay() + 3) % 7;
    const put = (id: string, body: object) =>
      call(`/v1/teams/${teamId}/members/${id}`, { method: "PUT", body, headers: h });
    expect((await put(away, { presence: "away" })).status).toBe(200);
    await put(full, { capacity: 0 });
    await put(offHours, {
      timeZone: "Europe/Berlin",
      workingHours: [{ day: otherDay, start: "09:00", end: "17:00" }],
    });
    await put(ooo, { outOfOffice: [{ from: "2000-01-01", to: "2100-01-01" }] });
    await put(ready, { capacity: 1 });
    const badTz = await put(ready, { timeZone: "Mars/Olympus" });
    expect([badTz.status, badTz.json.error.message]).toEqual([400, expect.stringMatching(/^timeZone/)]);
    const badHours = await put(ready, { workingHours: [{ day: 9, start: "9am", end: "17:00" }] });
    expect([badHours.status, badHours.json.error.message]).toEqual([
      400,
      expect.stringMatching(/^workingHours\.0\./),
    ]);
    await call("/v1/assignment-rules", {
      method: "PUT",
      body: { rules: [{ name: "least loaded", strategy: "least_loaded", teamId }] },
      headers: h,
    });
    const first = await call(`/v1/leads/${await newLead(h, 1)}/assign`, { method: "POST", headers: h });
    expect(first.json.lead.ownerId).toBe(ready);
    const d = await call(`/v1/leads/${first.json.lead.id}/decisions`, { headers: h });
    const skipped = Object.fromEntries(
      d.json.decisions[0].skipped.map((s: { userId: string; reason: string }) => [s.userId, s.reason]),
    );
    expect(skipped).toEqual({
      [away]: "presence is away",
      [full]: "at capacity (0/0)",
      [offHours]: "off hours",
      [ooo]: "out of office",
    });
    expect(today.length).toBe(10);
    // `ready` is now at capacity (1/1): the next lead waits in the fallback queue.
    const second = await call(`/v1/leads/${await newLead(h, 2)}/assign`, { method: "POST", headers: h });
    expect(second.json.lead).toMatchObject({ ownerId: null, teamId });
    expect(second.json.reason).toMatch(
      /^fallback queue: rule "least loaded": no eligible member \(5 skipped\)/,
    );
  });

  it("one presence: an agent who set away in the inbox is skipped by round-robin; back online, they are picked", async () => {
    const { s, h, ids, teamId } = await workspace("Presence", 1);
    const [rep] = ids as [string];
    // The signed-up owner works leads too; they set their presence in the inbox.
    for (const id of [s.userId, rep])
      expect(
        (await call(`/v1/teams/${teamId}/members/${id}`, { method: "PUT", body: {}, headers: h })).status,
      ).toBe(200);
    await call("/v1/assignment-rules", {
      method: "PUT",
      body: { rules: [{ name: "rr", strategy: "round_robin", teamId }] },
      headers: h,
    });
    const away = await call("/v1/inbox/presence", {
      method: "PUT",
      body: { status: "away" },
      headers: s.auth,
    });
    expect(away.status).toBe(200);
    // The teams API shows the same presence the inbox set.
    const team = await call(`/v1/teams/${teamId}`, { headers: h });
    expect(team.json.members.find((m: { userId: string }) => m.userId === s.userId).presence).toBe("away");
    const owners: string[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await call(`/v1/leads/${await newLead(h, 100 + i)}/assign`, { method: "POST", headers: h });
      owners.push(res.json.lead.ownerId);
    }
    expect(owners).toEqual([rep, rep, rep]);
    // Offline through the teams endpoint, then online again through it: both write the one table.
    expect(
      (await call("/v1/presence", { method: "PUT", body: { presence: "offline" }, headers: s.auth })).status,
    ).toBe(200);
    const inbox = await call("/v1/inbox/presence", { headers: s.auth });
    expect(inbox.json.agents.find((a: { userId: string }) => a.userId === s.userId).status).toBe("offline");
    await call("/v1/presence", { method: "PUT", body: { presence: "online" }, headers: s.auth });
    const next = await call(`/v1/leads/${await newLead(h, 200)}/assign`, { method: "POST", headers: h });
    expect(next.json.lead.ownerId).toBe(s.userId);
    // Another tenant's member cannot be given a presence here.
    const stranger = await signup("Other");
    const cross = await call("/v1/presence", {
      method: "PUT",
      body: { presence: "away", userId: stranger.userId },
      headers: h,
    });
    expect(cross.status).toBe(404);
  });

  it("a missed first-touch SLA reassigns the lead and notifies the owner in the app and by mail", async () => {
    const { s, h, ids, teamId } = await workspace("SLA", 2);
    for (const id of ids)
      await call(`/v1/teams/${teamId}/members/${id}`, { method: "PUT", body: {}, headers: h });
    await call("/v1/assignment-rules", {
      method: "PUT",
      body: { rules: [{ name: "rr", strategy: "round_robin", teamId }] },
      headers: h,
    });
    await call("/v1/sales/settings", { method: "PATCH", body: { firstTouchSlaMinutes: 30 }, headers: h });
    const missed = await call("/v1/leads", {
      body: { contact: { email: "slow@sla.test" }, assign: true },
      headers: h,
    });
    const touched = await call("/v1/leads", {
      body: { contact: { email: "fast@sla.test" }, assign: true },
      headers: h,
    });
    const firstOwner = missed.json.ownerId as string;
    expect(ids).toContain(firstOwner);
    expect(missed.json.slaDueAt).not.toBeNull();
    await call(`/v1/leads/${touched.json.id}/touch`, { method: "POST", headers: h });

    const db = ownerDb();
    try {
      // Not due yet: nothing happens.
      expect((await runSalesJobs(db, env, createLogger({}))).reassigned).toBe(0);
      const later = new Date(Date.now() + 31 * 60_000);
      // The job looks for due tenants with now(); make this lead due by moving its clock back.
      await db.query("update leads set sla_due_at = now() - interval '1 minute' where id = $1", [
        missed.json.id,
      ]);
      const done = await runSalesJobs(db, env, createLogger({}), later);
      expect(done.reassigned).toBeGreaterThanOrEqual(1);
      const after = await call(`/v1/leads/${missed.json.id}`, { headers: h });
      expect(after.json.ownerId).not.toBe(firstOwner);
      expect(ids).toContain(after.json.ownerId);
      const decisions = await call(`/v1/leads/${missed.json.id}/decisions`, { headers: h });
      expect(decisions.json.decisions[0].reason).toMatch(/^first-touch SLA missed by/);
      const stillMine = await call(`/v1/leads/${touched.json.id}`, { headers: h });
      expect(stillMine.json.ownerId).toBe(touched.json.ownerId);
      const breach = await db.query<{ n: number }>(
        "select count(*)::int as n from outbox where tenant_id = $1 and type = 'sla.breached'",
        [s.tenantId],
      );
      expect(breach[0]?.n).toBe(1);
      const notes = await call(`/v1/notifications?userId=${firstOwner}`, { headers: h });
      expect(notes.json.notifications.map((n: { kind: string }) => n.kind)).toContain("sla.breached");
      const mail = await db.query<{ n: number }>(
        "select count(*)::int as n from mail_outbox m join users u on u.email = m.to where m.tenant_id = $1 and u.id = $2",
        [s.tenantId, firstOwner],
      );
      expect(mail[0]?.n).toBe(1);
    } finally {
      await db.end();
    }
  });
});
