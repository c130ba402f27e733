// Over 400 lines on purpose: every report is checked against one hand-computed fixture, kept in one place.
import { SELF } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { deliver, ev, setTimeZone } from "./analytics-helpers.js";
import { bearer, call, createKey, type Session, signup } from "./helpers.js";

// A hand-computed fixture for a tenant in Europe/Berlin (UTC+1 in November). The range is
// 2026-11-02..2026-11-03 Berlin time = [2026-11-01T23:00Z, 2026-11-03T23:00Z). Events near midnight
// test the day boundaries: 23:30 UTC on the 2nd is the 3rd in Berlin.
function fixture(t: string) {
  const conv = (c: string) => ({ conversation: c });
  const sent = (c: string, at: string, sender: "bot" | "agent", agentId: string | null, s: number | null) =>
    ev(t, "message.sent", at, { channel: "web", sender, agentId, responseSeconds: s }, conv(c));
  return [
    // c1: the 2nd, all the way to won (SQL, deal and win happen after the range).
    ev(t, "conversation.started", "2026-11-02T08:00:00Z", { channel: "web" }, conv("c1")),
    ev(t, "message.received", "2026-11-02T08:01:00Z", { channel: "web", length: 10 }, conv("c1")),
    sent("c1", "2026-11-02T08:01:05Z", "bot", null, 5),
    ev(
      t,
      "route.selected",
      "2026-11-02T08:02:00Z",
      { routeId: "r1", confidence: 0.9, routesVersion: 1 },
      conv("c1"),
    ),
    ev(
      t,
      "knowledge.answered",
      "2026-11-02T08:03:00Z",
      { question: "hours?", chunkIds: ["k"], mode: "extractive" },
      conv("c1"),
    ),
    ev(t, "knowledge.unanswered", "2026-11-02T08:04:00Z", { question: "Do you ship to Mars?" }, conv("c1")),
    ev(t, "form.completed", "2026-11-02T08:05:00Z", { routeId: "r1", fields: ["email"] }, conv("c1")),
    ev(t, "route.completed", "2026-11-02T08:06:00Z", { routeId: "r1" }, conv("c1")),
    ev(
      t,
      "lead.created",
      "2026-11-02T08:06:00Z",
      { source: "chat", routeId: "r1" },
      { lead: "L1", conversation: "c1" },
    ),
    ev(
      t,
      "lead.assigned",
      "2026-11-02T08:07:00Z",
      { ownerId: "u1", teamId: null, ruleId: null, strategy: "round_robin", reason: "rr" },
      { lead: "L1" },
    ),
    ev(t, "csat.recorded", "2026-11-02T08:10:00Z", { score: 5, agentId: null }, conv("c1")),
    ev(
      t,
      "lead.status_changed",
      "2026-11-05T10:00:00Z",
      { from: "new", to: "sql", reason: null },
      { lead: "L1" },
    ),
    ev(
      t,
      "deal.created",
      "2026-11-10T10:00:00Z",
      { pipelineId: "p1", stageId: "s1", ownerId: "u1", amount: 1000, currency: "EUR" },
      { deal: "D1", lead: "L1" },
    ),
    ev(
      t,
      "deal.won",
      "2026-11-20T10:00:00Z",
      { pipelineId: "p1", ownerId: "u1", amount: 1000, currency: "EUR" },
      { deal: "D1", lead: "L1" },
    ),
    // c2: 23:30 UTC on the 2nd = the 3rd in Berlin; a lead, a handoff to agent u2.
    ev(t, "conversation.started", "2026-11-02T23:30:00Z", { channel: "web" }, conv("c2")),
    ev(t, "message.received", "2026-11-02T23:31:00Z", { channel: "web", length: 5 }, conv("c2")),
    ev(
      t,
      "route.selected",
      "2026-11-02T23:32:00Z",
      { routeId: "r1", confidence: 0.7, routesVersion: 1 },
      conv("c2"),
    ),
    ev(t, "knowledge.unanswered", "2026-11-02T23:33:00Z", { question: "do you   ship to mars" }, conv("c2")),
    ev(t, "handoff.accepted", "2026-11-02T23:34:00Z", { agentId: "u2", waitSeconds: 60 }, conv("c2")),
    ev(
      t,
      "route.abandoned",
      "2026-11-02T23:35:00Z",
      { routeId: "r1", stepId: "email", reason: "handoff" },
      conv("c2"),
    ),
    ev(
      t,
      "lead.created",
      "2026-11-02T23:36:00Z",
      { source: "chat", routeId: "r1" },
      { lead: "L2", conversation: "c2" },
    ),
    sent("c2", "2026-11-02T23:40:00Z", "agent", "u2", 20),
    ev(
      t,
      "sla.breached",
      "2026-11-02T23:50:00Z",
      { kind: "first_response", ownerId: "u2", dueAt: "2026-11-02T23:45:00Z" },
      conv("c2"),
    ),
    ev(
      t,
      "conversation.closed",
      "2026-11-03T00:00:00Z",
      { reason: "agent", durationSeconds: 1800, agentId: "u2" },
      conv("c2"),
    ),
    ev(t, "csat.recorded", "2026-11-03T00:01:00Z", { score: 4, agentId: "u2" }, conv("c2")),
    // c3: telegram on the 3rd, never engaged.
    ev(t, "conversation.started", "2026-11-03T10:00:00Z", { channel: "telegram" }, conv("c3")),
    ev(
      t,
      "route.selected",
      "2026-11-03T10:01:00Z",
      { routeId: "r2", confidence: 0.5, routesVersion: 1 },
      conv("c3"),
    ),
    ev(t, "knowledge.unanswered", "2026-11-03T10:05:00Z", { question: "Price?" }, conv("c3")),
    ev(
      t,
      "route.abandoned",
      "2026-11-03T10:30:00Z",
      { routeId: "r2", stepId: "s1", reason: "inactive" },
      conv("c3"),
    ),
    // c4: started 23:59 Berlin on the 1st (outside); its message at 00:05 Berlin on the 2nd is inside.
    ev(t, "conversation.started", "2026-11-01T22:59:00Z", { channel: "web" }, conv("c4")),
    ev(t, "message.received", "2026-11-01T23:05:00Z", { channel: "web", length: 3 }, conv("c4")),
    // c5: 00:10 Berlin on the 4th: outside.
    ev(t, "conversation.started", "2026-11-03T23:10:00Z", { channel: "web" }, conv("c5")),
    // Sales in range.
    ev(
      t,
      "sla.breached",
      "2026-11-02T12:00:00Z",
      { kind: "first_touch", ownerId: "u1", dueAt: "2026-11-02T11:00:00Z" },
      { lead: "L1" },
    ),
    ev(
      t,
      "deal.created",
      "2026-11-02T09:00:00Z",
      { pipelineId: "p1", stageId: "s1", ownerId: "u1", amount: 500, currency: "EUR" },
      { deal: "D7" },
    ),
    ev(
      t,
      "deal.stage_changed",
      "2026-11-02T10:00:00Z",
      { pipelineId: "p1", fromStageId: "s1", toStageId: "s2" },
      { deal: "D7" },
    ),
    ev(
      t,
      "deal.lost",
      "2026-11-03T09:00:00Z",
      { pipelineId: "p1", ownerId: "u1", reason: null, amount: 500, currency: "EUR" },
      { deal: "D7" },
    ),
    ev(
      t,
      "deal.won",
      "2026-11-03T12:00:00Z",
      { pipelineId: "p1", ownerId: "u1", amount: 500, currency: "EUR" },
      { deal: "D9" },
    ),
    ev(
      t,
      "deal.won",
      "2026-11-03T13:00:00Z",
      { pipelineId: "p1", ownerId: "u1", amount: 200, currency: "USD" },
      { deal: "D8" },
    ),
  ];
}

let a: Session;
let key: string;
const range = "from=2026-11-02&to=2026-11-03";
const report = async (name: string, query = range, k = key) => {
  const res = await call(`/v1/reports/${name}?${query}`, { headers: bearer(k) });
  if (res.status !== 200) throw new Error(`${name}: ${res.status} ${JSON.stringify(res.json)}`);
  return res.json;
};

beforeAll(async () => {
  a = await signup("Berlin GmbH");
  await setTimeZone(a.tenantId, "Europe/Berlin");
  key = (await createKey(a, "viewer", ["read"])).secret;
  // Delivered twice (redelivery) and in reverse order: figures must not change.
  const events = fixture(a.tenantId);
  await deliver(events);
  await deliver([...events].reverse());
});

describe("reports equal the hand-computed fixture (Europe/Berlin)", () => {
  it("funnel: a cohort by start day, followed to won whenever that happens", async () => {
    const r = await report("funnel");
    expect(r).toMatchObject({ report: "funnel", timeZone: "Europe/Berlin", groupBy: "day" });
    expect(r.rows).toEqual([
      {
        period: "2026-11-02",
        started: 1,
        engaged: 1,
        formCompleted: 1,
        leads: 1,
        sqls: 1,
        deals: 1,
        won: 1,
        conversionRate: 1,
      },
      {
        period: "2026-11-03",
        started: 2,
        engaged: 1,
        formCompleted: 0,
        leads: 1,
        sqls: 0,
        deals: 0,
        won: 0,
        conversionRate: 0,
      },
    ]);
    const month = await report("funnel", `${range}&groupBy=month`);
    expect(month.rows).toEqual([
      {
        period: "2026-11-01",
        started: 3,
        engaged: 2,
        formCompleted: 1,
        leads: 2,
        sqls: 1,
        deals: 1,
        won: 1,
        conversionRate: 0.3333,
      },
    ]);
    const telegram = await report("funnel", `${range}&channel=telegram`);
    expect(telegram.rows).toEqual([
      {
        period: "2026-11-03",
        started: 1,
        engaged: 0,
        formCompleted: 0,
        leads: 0,
        sqls: 0,
        deals: 0,
        won: 0,
        conversionRate: 0,
      },
    ]);
  });

  it("time-zone day boundaries: 23:30 UTC counts on the next Berlin day; a UTC tenant sees it the same day", async () => {
    const utc = await signup("UTC Ltd");
    const k = (await createKey(utc, "viewer", ["read"])).secret;
    await deliver([
      ev(
        utc.tenantId,
        "conversation.started",
        "2026-11-02T23:30:00Z",
        { channel: "web" },
        { conversation: "x" },
      ),
    ]);
    expect((await report("channels", range, k)).rows).toEqual([
      { period: "2026-11-02", channel: "web", conversations: 1, messagesReceived: 0, messagesSent: 0 },
    ]);
    await setTimeZone(utc.tenantId, "Europe/Berlin");
    // A new key: API keys are cached with their tenant's zone (an API zone change would refresh them).
    const k2 = (await createKey(utc, "viewer", ["read"])).secret;
    expect((await report("channels", range, k2)).rows).toEqual([
      { period: "2026-11-03", channel: "web", conversations: 1, messagesReceived: 0, messagesSent: 0 },
    ]);
  });

  it("channel mix", async () => {
    expect((await report("channels")).rows).toEqual([
      { period: "2026-11-02", channel: "web", conversations: 1, messagesReceived: 2, messagesSent: 1 },
      { period: "2026-11-03", channel: "telegram", conversations: 1, messagesReceived: 0, messagesSent: 0 },
      { period: "2026-11-03", channel: "web", conversations: 1, messagesReceived: 1, messagesSent: 1 },
    ]);
    expect((await report("channels", `${range}&groupBy=week`)).rows).toEqual([
      { period: "2026-11-02", channel: "telegram", conversations: 1, messagesReceived: 0, messagesSent: 0 },
      { period: "2026-11-02", channel: "web", conversations: 2, messagesReceived: 3, messagesSent: 2 },
    ]);
  });

  it("route performance and where routes are abandoned", async () => {
    const r = await report("routes");
    expect(r.rows).toEqual([
      {
        period: "2026-11-02",
        routeId: "r1",
        entered: 1,
        completed: 1,
        abandoned: 0,
        handoffs: 0,
        formsCompleted: 1,
        completionRate: 1,
        handoffRate: 0,
      },
      {
        period: "2026-11-03",
        routeId: "r1",
        entered: 1,
        completed: 0,
        abandoned: 1,
        handoffs: 1,
        formsCompleted: 0,
        completionRate: 0,
        handoffRate: 1,
      },
      {
        period: "2026-11-03",
        routeId: "r2",
        entered: 1,
        completed: 0,
        abandoned: 1,
        handoffs: 0,
        formsCompleted: 0,
        completionRate: 0,
        handoffRate: 0,
      },
    ]);
    expect(r.abandonedAt).toEqual([
      { routeId: "r1", stepId: "email", reason: "handoff", count: 1 },
      { routeId: "r2", stepId: "s1", reason: "inactive", count: 1 },
    ]);
    expect((await report("routes", `${range}&routeId=r2`)).rows).toHaveLength(1);
  });

  it("knowledge answer rate and top unanswered questions (normalised)", async () => {
    const r = await report("knowledge");
    expect(r.rows).toEqual([
      { period: "2026-11-02", answered: 1, unanswered: 1, answerRate: 0.5 },
      { period: "2026-11-03", answered: 0, unanswered: 2, answerRate: 0 },
    ]);
    expect(r.topUnanswered).toEqual([
      { question: "do you ship to mars", count: 2 },
      { question: "price", count: 1 },
    ]);
  });

  it("agents and reps", async () => {
    const empty = {
      firstResponses: 0,
      avgFirstResponseSeconds: null,
      conversationsClosed: 0,
      avgResolutionSeconds: null,
      handoffsAccepted: 0,
      leadsAssigned: 0,
      dealsWon: 0,
      csatAverage: null,
    };
    expect((await report("agents")).rows).toEqual([
      { period: "2026-11-02", ownerId: "u1", ...empty, leadsAssigned: 1 },
      { period: "2026-11-03", ownerId: "u1", ...empty, dealsWon: 2, revenue_EUR: 500, revenue_USD: 200 },
      {
        period: "2026-11-03",
        ownerId: "u2",
        ...empty,
        firstResponses: 1,
        avgFirstResponseSeconds: 20,
        conversationsClosed: 1,
        avgResolutionSeconds: 1800,
        handoffsAccepted: 1,
        csatAverage: 4,
      },
    ]);
    expect((await report("agents", `${range}&ownerId=u2&groupBy=month`)).rows).toEqual([
      {
        period: "2026-11-01",
        ownerId: "u2",
        ...empty,
        firstResponses: 1,
        avgFirstResponseSeconds: 20,
        conversationsClosed: 1,
        avgResolutionSeconds: 1800,
        handoffsAccepted: 1,
        csatAverage: 4,
      },
    ]);
  });

  it("pipeline", async () => {
    const r = await report("pipeline");
    expect(r.rows).toEqual([
      {
        period: "2026-11-02",
        pipelineId: "p1",
        dealsCreated: 1,
        stageMoves: 1,
        dealsWon: 0,
        dealsLost: 0,
        winRate: null,
        createdAmount_EUR: 500,
      },
      {
        period: "2026-11-03",
        pipelineId: "p1",
        dealsCreated: 0,
        stageMoves: 0,
        dealsWon: 2,
        dealsLost: 1,
        winRate: 0.6667,
        lostAmount_EUR: 500,
        wonAmount_EUR: 500,
        wonAmount_USD: 200,
      },
    ]);
    expect(r.enteredStages).toEqual([{ pipelineId: "p1", stageId: "s2", entered: 1 }]);
    expect(r.forecast).toBeNull();
  });

  it("SLA and CSAT", async () => {
    expect((await report("sla")).rows).toEqual([
      { period: "2026-11-02", kind: "first_touch", ownerId: "u1", breaches: 1 },
      { period: "2026-11-03", kind: "first_response", ownerId: "u2", breaches: 1 },
    ]);
    const zero = { score1: 0, score2: 0, score3: 0, score4: 0, score5: 0 };
    expect((await report("csat")).rows).toEqual([
      { period: "2026-11-02", responses: 1, average: 5, ...zero, score5: 1 },
      { period: "2026-11-03", responses: 1, average: 4, ...zero, score4: 1 },
    ]);
    expect((await report("csat", `${range}&ownerId=u2`)).rows).toEqual([
      { period: "2026-11-03", responses: 1, average: 4, ...zero, score4: 1 },
    ]);
  });

  it("CSV export is streamed with a header row", async () => {
    const res = await SELF.fetch(`https://api.test/v1/reports/funnel?${range}&format=csv`, {
      headers: bearer(key),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/csv/);
    expect(res.headers.get("content-disposition")).toContain("funnel-2026-11-02-2026-11-03.csv");
    expect(await res.text()).toBe(
      "period,started,engaged,formCompleted,leads,sqls,deals,won,conversionRate\r\n" +
        "2026-11-02,1,1,1,1,1,1,1,1\r\n2026-11-03,2,1,0,1,0,0,0,0\r\n",
    );
  });

  it("one tenant never sees another's figures", async () => {
    const b = await signup("Other");
    await setTimeZone(b.tenantId, "Europe/Berlin");
    const kb = (await createKey(b, "viewer", ["read"])).secret;
    for (const name of ["funnel", "channels", "routes", "knowledge", "agents", "pipeline", "sla", "csat"]) {
      expect((await report(name, range, kb)).rows).toEqual([]);
    }
    // B's own event shows for B only; A's funnel is unchanged.
    await deliver([
      ev(
        b.tenantId,
        "conversation.started",
        "2026-11-02T08:00:00Z",
        { channel: "web" },
        { conversation: "c1" },
      ),
    ]);
    expect((await report("funnel", range, kb)).rows).toEqual([
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
    ]);
    expect((await report("funnel")).rows[0]).toMatchObject({ started: 1, engaged: 1, won: 1 });
  });
});

describe("report parameters", () => {
  const bad = async (name: string, query: string) => {
    const res = await call(`/v1/reports/${name}?${query}`, { headers: bearer(key) });
    return { status: res.status, message: res.json.error?.message as string };
  };

  it("bad parameters are a 400 naming the field", async () => {
    expect(await bad("funnel", "to=2026-11-03")).toMatchObject({
      status: 400,
      message: expect.stringMatching(/^query\.from/),
    });
    expect(await bad("funnel", "from=2026-13-01&to=2026-11-03")).toMatchObject({
      status: 400,
      message: expect.stringMatching(/^query\.from/),
    });
    expect(await bad("funnel", `${range}&groupBy=year`)).toMatchObject({
      status: 400,
      message: expect.stringMatching(/^query\.groupBy/),
    });
    expect(await bad("funnel", "from=2026-11-05&to=2026-11-01")).toMatchObject({
      status: 400,
      message: "query.to: must not be before from",
    });
    expect(await bad("funnel", "from=2020-01-01&to=2026-11-01")).toMatchObject({
      status: 400,
      message: expect.stringMatching(/^query\.to: range/),
    });
    expect(await bad("routes", `${range}&channel=web`)).toMatchObject({
      status: 400,
      message: expect.stringMatching(/^query\.channel: not supported/),
    });
    expect(await bad("funnel", `${range}&format=xml`)).toMatchObject({
      status: 400,
      message: expect.stringMatching(/^query\.format/),
    });
    expect((await call(`/v1/reports/funnel?${range}`)).status).toBe(401);
  });

  it("retention setting: readable by all, settable by admins within bounds", async () => {
    expect((await call("/v1/analytics/settings", { headers: bearer(key) })).json).toEqual({
      retentionDays: 400,
      deadLetterRetentionDays: 30,
    });
    const admin = (await createKey(a)).secret;
    expect(
      (
        await call("/v1/analytics/settings", {
          method: "PUT",
          body: { retentionDays: 10 },
          headers: bearer(admin),
        })
      ).json.error.message,
    ).toMatch(/^retentionDays/);
    const ok = await call("/v1/analytics/settings", {
      method: "PUT",
      body: { retentionDays: 90 },
      headers: bearer(admin),
    });
    expect(ok.json).toEqual({ retentionDays: 90, deadLetterRetentionDays: 30 });
    const dl = await call("/v1/analytics/settings", {
      method: "PUT",
      body: { deadLetterRetentionDays: 0 },
      headers: bearer(admin),
    });
    expect(dl.json.error.message).toMatch(/^deadLetterRetentionDays/);
    await call("/v1/analytics/settings", {
      method: "PUT",
      body: { deadLetterRetentionDays: 7 },
      headers: bearer(admin),
    });
    expect((await call("/v1/analytics/settings", { headers: bearer(key) })).json).toEqual({
      retentionDays: 90,
      deadLetterRetentionDays: 7,
    });
  });
});
