// Over 400 lines on purpose: one sales story (pipelines → deals → activities → forecast) on shared fixtures.
import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { runSalesJobs } from "../src/domain/sales-jobs.js";
import { createLogger } from "../src/lib/log.js";
import { bearer, call, createKey, ownerDb, type Session, signup } from "./helpers.js";

describe("pipelines, deals, activities, forecast", () => {
  let s: Session;
  let h: Record<string, string>;
  let other: Record<string, string>;
  let pipeline: { id: string; stages: { id: string; name: string }[] };
  const stage = (name: string) => pipeline.stages.find((x) => x.name === name)?.id as string;

  beforeAll(async () => {
    s = await signup("Deals A");
    h = bearer((await createKey(s)).secret);
    other = bearer((await createKey(await signup("Deals B"))).secret);
    const res = await call("/v1/pipelines", {
      body: {
        name: "Sales",
        isDefault: true,
        stages: [
          { name: "Lead-in", probability: 20 },
          { name: "Proposal", probability: 60 },
          { name: "Won", probability: 100, category: "won" },
          { name: "Lost", probability: 0, category: "lost" },
        ],
      },
      headers: h,
    });
    expect(res.status).toBe(201);
    pipeline = res.json;
  });

  it("bad input is a 400 naming the field", async () => {
    const noWon = await call("/v1/pipelines", {
      body: {
        name: "x",
        stages: [
          { name: "a", probability: 1 },
          { name: "b", probability: 2 },
          { name: "c", probability: 0, category: "lost" },
        ],
      },
      headers: h,
    });
    expect([noWon.status, noWon.json.error.message]).toEqual([400, "stages: needs at least one won stage"]);
    const badAmount = await call("/v1/deals", { body: { title: "x", amount: -5 }, headers: h });
    expect([badAmount.status, badAmount.json.error.message]).toEqual([400, expect.stringMatching(/^amount/)]);
    const badDate = await call("/v1/deals", {
      body: { title: "x", expectedCloseDate: "31/12/2030" },
      headers: h,
    });
    expect(badDate.json.error.message).toMatch(/^expectedCloseDate/);
    const badStage = await call("/v1/deals", {
      body: { title: "x", stageId: crypto.randomUUID() },
      headers: h,
    });
    expect([badStage.status, badStage.json.error.message]).toEqual([400, expect.stringMatching(/^stageId/)]);
  });

  it("moves through stages with history; lost needs a reason; won closes the deal", async () => {
    const deal = await call("/v1/deals", {
      body: { title: "Big one", amount: 1000, currency: "usd" },
      headers: h,
    });
    expect(deal.json).toMatchObject({
      stageId: stage("Lead-in"),
      status: "open",
      currency: "USD",
      closedAt: null,
    });
    const lost = await call(`/v1/deals/${deal.json.id}`, {
      method: "PATCH",
      body: { stageId: stage("Lost") },
      headers: h,
    });
    expect([lost.status, lost.json.error.message]).toEqual([400, expect.stringMatching(/^reason/)]);
    await call(`/v1/deals/${deal.json.id}`, {
      method: "PATCH",
      body: { stageId: stage("Proposal") },
      headers: h,
    });
    const won = await call(`/v1/deals/${deal.json.id}`, {
      method: "PATCH",
      body: { stageId: stage("Won"), reason: "best fit" },
      headers: h,
    });
    expect(won.json).toMatchObject({ status: "won", wonReason: "best fit" });
    expect(won.json.closedAt).not.toBeNull();
    const history = await call(`/v1/deals/${deal.json.id}/history`, { headers: h });
    expect(history.json.history.map((x: { toStageId: string }) => x.toStageId)).toEqual([
      stage("Lead-in"),
      stage("Proposal"),
      stage("Won"),
    ]);
    const db = ownerDb();
    const types = await db.query<{ type: string }>(
      "select type from outbox where tenant_id = $1 and event->'subjects'->>'deal' = $2 order by created_at, type",
      [s.tenantId, deal.json.id],
    );
    await db.end();
    expect(types.map((t) => t.type)).toEqual([
      "deal.created",
      "deal.stage_changed",
      "deal.stage_changed",
      "deal.won",
    ]);
  });

  it("a deal opened from a lead names the lead in its events (the funnel links them through it)", async () => {
    const lead = await call("/v1/leads", {
      body: { contact: { name: "Lin Lead", email: "lin@lead.example" } },
      headers: h,
    });
    expect(lead.status).toBe(201);
    const deal = await call("/v1/deals", {
      body: { title: "From a lead", leadId: lead.json.id },
      headers: h,
    });
    expect(deal.status).toBe(201);
    await call(`/v1/deals/${deal.json.id}`, { method: "PATCH", body: { stageId: stage("Won") }, headers: h });
    const db = ownerDb();
    const events = await db.query<{ type: string; lead: string | null }>(
      "select type, event->'subjects'->>'lead' as lead from outbox where tenant_id = $1 and event->'subjects'->>'deal' = $2 order by created_at, type",
      [s.tenantId, deal.json.id],
    );
    await db.end();
    expect(events).toEqual([
      { type: "deal.created", lead: lead.json.id },
      { type: "deal.stage_changed", lead: lead.json.id },
      { type: "deal.won", lead: lead.json.id },
    ]);
  });

  it("forecast figures equal the hand-computed example", async () => {
    const make = async (title: string, amount: number, stageName: string, forecastCategory: string) => {
      const r = await call("/v1/deals", {
        body: {
          title,
          amount,
          currency: "EUR",
          expectedCloseDate: "2031-03-15",
          forecastCategory,
          ownerId: s.userId,
          stageId: stage(stageName),
        },
        headers: h,
      });
      expect(r.status).toBe(201);
      return r.json.id as string;
    };
    // Open in March 2031: 10,000 @ 20% + 5,000 @ 60% (best case) + 8,000 @ 60% (commit).
    const a = await make("A", 10_000, "Lead-in", "pipeline");
    await make("B", 5_000, "Proposal", "best_case");
    await make("C", 8_000, "Proposal", "commit");
    // D is won (via Proposal) this month, E lost from Lead-in.
    const d = await make("D", 3_000, "Lead-in", "commit");
    await call(`/v1/deals/${d}`, { method: "PATCH", body: { stageId: stage("Proposal") }, headers: h });
    await call(`/v1/deals/${d}`, { method: "PATCH", body: { stageId: stage("Won") }, headers: h });
    const e = await make("E", 9_999, "Lead-in", "commit");
    await call(`/v1/deals/${e}`, {
      method: "PATCH",
      body: { stageId: stage("Lost"), reason: "price" },
      headers: h,
    });
    const db = ownerDb();
    await db.query("update deals set created_at = closed_at - interval '10 days' where id = $1", [d]);
    await db.end();
    expect(a).toBeTruthy();

    const f = await call(`/v1/forecast?currency=eur&pipelineId=${pipeline.id}`, { headers: h });
    expect(f.status).toBe(200);
    const thisMonth = new Date().toISOString().slice(0, 7);
    expect(f.json.cells).toEqual(
      [
        // 23,000 open; weighted 2,000 + 3,000 + 4,800; commit 8,000; best case 8,000 + 5,000
        {
          month: "2031-03",
          ownerId: s.userId,
          pipeline: 23_000,
          bestCase: 13_000,
          commit: 8_000,
          closedWon: 0,
          weighted: 9_800,
          openDeals: 3,
          wonDeals: 0,
        },
        {
          month: thisMonth,
          ownerId: s.userId,
          pipeline: 0,
          bestCase: 3_000,
          commit: 3_000,
          closedWon: 3_000,
          weighted: 0,
          openDeals: 0,
          wonDeals: 1,
        },
      ].sort((x, y) => x.month.localeCompare(y.month)),
    );
    const rates = Object.fromEntries(
      f.json.winRateByStage.map((r: { stageId: string; winRate: number | null }) => [r.stageId, r.winRate]),
    );
    // Closed deals: D won (Lead-in → Proposal → Won), E lost (Lead-in → Lost).
    expect(rates).toEqual({
      [stage("Lead-in")]: 0.5,
      [stage("Proposal")]: 1,
      [stage("Won")]: 1,
      [stage("Lost")]: 0,
    });
    // 3 open × 3,000 average won × 0.5 win rate ÷ 10 days = 450 a day.
    expect(f.json.velocity).toEqual({
      averageDealSize: 3_000,
      winRate: 0.5,
      averageCycleDays: 10,
      perDay: 450,
    });
    const bad = await call("/v1/forecast?from=2031-13", { headers: h });
    expect([bad.status, bad.json.error.message]).toEqual([400, expect.stringMatching(/^query\.from/)]);
  });

  it("a range keeps open deals with no close date: the report screen's Open deals equals the API's", async () => {
    const undated = await call("/v1/deals", {
      body: { title: "Undated", amount: 20_000, currency: "CHF", stageId: stage("Proposal") },
      headers: h,
    });
    expect(undated.status).toBe(201);
    const dated = await call("/v1/deals", {
      body: {
        title: "Next year",
        amount: 1_000,
        currency: "CHF",
        stageId: stage("Lead-in"),
        expectedCloseDate: "2040-06-01",
      },
      headers: h,
    });
    expect(dated.status).toBe(201);
    const all = (await call(`/v1/forecast?currency=CHF&pipelineId=${pipeline.id}`, { headers: h })).json;
    expect(all.totals).toMatchObject({ openDeals: 2, pipeline: 21_000 });
    // A range that leaves out 2040 still holds the undated deal (month null), never the 2040 one.
    const ranged = (
      await call(`/v1/forecast?currency=CHF&pipelineId=${pipeline.id}&from=2030-01&to=2030-12`, {
        headers: h,
      })
    ).json;
    expect(ranged.totals).toMatchObject({ openDeals: 1, pipeline: 20_000 });
    expect(ranged.cells.map((c: { month: string | null }) => c.month)).toEqual([null]);
  });

  it("forecast months are the tenant's: a deal won at 12:00 UTC on 31 January is February in Auckland", async () => {
    const make = async (title: string, stageName: string) => {
      const r = await call("/v1/deals", {
        body: {
          title,
          amount: 1_000,
          currency: "NZD",
          expectedCloseDate: "2031-01-31",
          ownerId: s.userId,
          stageId: stage(stageName),
        },
        headers: h,
      });
      expect(r.status).toBe(201);
      return r.json.id as string;
    };
    await make("open on the 31st", "Lead-in");
    const won = await make("won late on the 31st", "Lead-in");
    await call(`/v1/deals/${won}`, { method: "PATCH", body: { stageId: stage("Won") }, headers: h });
    const db = ownerDb();
    try {
      await db.query("update deals set closed_at = '2031-01-31T12:00:00Z' where id = $1", [won]);
      await db.query("update tenants set time_zone = 'Pacific/Auckland' where id = $1", [s.tenantId]);
      const f = await call(`/v1/forecast?currency=NZD&pipelineId=${pipeline.id}`, { headers: h });
      expect(f.status).toBe(200);
      // 12:00 UTC is 01:00 on 1 February in Auckland (UTC+13); the open deal's date has no zone.
      expect(
        f.json.cells.map((c: { month: string; pipeline: number; closedWon: number }) => [
          c.month,
          c.pipeline,
          c.closedWon,
        ]),
      ).toEqual([
        ["2031-01", 1_000, 0],
        ["2031-02", 0, 1_000],
      ]);
    } finally {
      await db.query("update tenants set time_zone = 'UTC' where id = $1", [s.tenantId]);
      await db.end();
    }
  });

  it("activities: tasks remind once, stale deals are flagged by cron and cleared by activity", async () => {
    const deal = await call("/v1/deals", { body: { title: "Quiet", ownerId: s.userId }, headers: h });
    const task = await call("/v1/activities", {
      body: {
        kind: "task",
        subject: "Send proposal",
        dealId: deal.json.id,
        ownerId: s.userId,
        dueAt: new Date().toISOString(),
        remindAt: new Date(Date.now() - 60_000).toISOString(),
      },
      headers: h,
    });
    expect(task.status).toBe(201);
    const noteWithDue = await call("/v1/activities", {
      body: { kind: "note", dealId: deal.json.id, dueAt: new Date().toISOString() },
      headers: h,
    });
    expect([noteWithDue.status, noteWithDue.json.error.message]).toEqual([
      400,
      expect.stringMatching(/^dueAt/),
    ]);
    const db = ownerDb();
    try {
      await db.query(
        "update deals set last_activity_at = now() - interval '30 days', stage_entered_at = now() - interval '30 days' where id = $1",
        [deal.json.id],
      );
      const first = await runSalesJobs(db, env, createLogger({}));
      expect(first.reminders).toBeGreaterThanOrEqual(1);
      expect(first.stale).toBeGreaterThanOrEqual(1);
      const again = await runSalesJobs(db, env, createLogger({}));
      expect(again.reminders).toBe(0);
      const stale = await call("/v1/deals?stale=true", { headers: h });
      expect(stale.json.deals.map((x: { id: string }) => x.id)).toContain(deal.json.id);
      const notes = await call("/v1/notifications", { headers: s.auth });
      const kinds = notes.json.notifications.map((n: { kind: string }) => n.kind);
      expect(kinds).toEqual(expect.arrayContaining(["task.reminder", "deal.stale"]));
      await call("/v1/activities", {
        body: { kind: "call", subject: "Checked in", dealId: deal.json.id },
        headers: h,
      });
      const fresh = await call(`/v1/deals/${deal.json.id}`, { headers: h });
      expect(fresh.json.staleFlaggedAt).toBeNull();
      const done = await call(`/v1/activities/${task.json.id}`, {
        method: "PATCH",
        body: { completed: true },
        headers: h,
      });
      expect(done.json.completedAt).not.toBeNull();
      const open = await call(`/v1/activities?dealId=${deal.json.id}&openTasks=true`, { headers: h });
      expect(open.json.activities).toEqual([]);
    } finally {
      await db.end();
    }
  });

  it("the forecast rollups the triggers kept equal a rebuild from the deals", async () => {
    // Every write above (creates, stage moves, closes, direct updates of dates and the time zone,
    // the stale-deal cron) went through the triggers; a rebuild from scratch must find the same rows.
    await expectRollupsEqualRebuild(s.tenantId, 3);
  });

  it("another tenant's pipelines, deals and activities are 404", async () => {
    const deal = await call("/v1/deals", { body: { title: "Secret" }, headers: h });
    const id = deal.json.id;
    expect((await call(`/v1/deals/${id}`, { headers: other })).status).toBe(404);
    expect(
      (await call(`/v1/deals/${id}`, { method: "PATCH", body: { title: "x" }, headers: other })).status,
    ).toBe(404);
    expect((await call(`/v1/deals/${id}/history`, { headers: other })).status).toBe(404);
    expect((await call(`/v1/pipelines/${pipeline.id}`, { headers: other })).status).toBe(404);
    expect(
      (await call("/v1/activities", { body: { kind: "note", dealId: id }, headers: other })).status,
    ).toBe(404);
    const theirForecast = await call("/v1/forecast?currency=EUR", { headers: other });
    expect(theirForecast.json.cells).toEqual([]);
  });
});

/** The rollups the deal triggers kept for a tenant equal a rebuild from its deals and stage history. */
async function expectRollupsEqualRebuild(tenantId: string, minForecastRows: number) {
  const db = ownerDb();
  try {
    const snapshot = async () => [
      await db.query(
        `select currency, pipeline_id, month, owner_id, stage_id, forecast_category, deals, amount::text, cycle_seconds::text
         from deal_forecast_rollup where tenant_id = $1 and deals <> 0 order by 1, 2, 3, 4, 5, 6`,
        [tenantId],
      ),
      await db.query(
        `select currency, pipeline_id, stage_id, won, lost from deal_stage_outcomes
         where tenant_id = $1 and won + lost > 0 order by 1, 2, 3`,
        [tenantId],
      ),
    ];
    const kept = await snapshot();
    expect(kept[0]?.length).toBeGreaterThanOrEqual(minForecastRows);
    await db.query("select deal_rollups_rebuild($1)", [tenantId]);
    expect(await snapshot()).toEqual(kept);
  } finally {
    await db.end();
  }
}

describe("pipelines and stages: edit, reorder, delete; deal delete", () => {
  let s: Session;
  let h: Record<string, string>;
  let other: Record<string, string>;
  let pipelineId: string;
  let ids: Record<string, string>;

  beforeAll(async () => {
    s = await signup("Stages A");
    h = bearer((await createKey(s)).secret);
    other = bearer((await createKey(await signup("Stages B"))).secret);
    const res = await call("/v1/pipelines", {
      body: {
        name: "Editable",
        stages: [
          { name: "A", probability: 10 },
          { name: "B", probability: 50 },
          { name: "Won", probability: 100, category: "won" },
          { name: "Lost", probability: 0, category: "lost" },
        ],
      },
      headers: h,
    });
    expect(res.status).toBe(201);
    pipelineId = res.json.id;
    ids = Object.fromEntries(res.json.stages.map((x: { name: string; id: string }) => [x.name, x.id]));
  });

  const names = (p: { stages: { name: string }[] }) => p.stages.map((x) => x.name);
  const weighted = async () =>
    (await call(`/v1/forecast?currency=GBP&pipelineId=${pipelineId}`, { headers: h })).json.totals.weighted;

  it("bad input is a 400 naming the field", async () => {
    const stage = (id: string) => `/v1/pipelines/${pipelineId}/stages/${id}`;
    const cases: [string, Parameters<typeof call>[1], RegExp][] = [
      [stage(ids.B as string), { method: "PATCH", body: { probability: 150 } }, /^probability/],
      [`/v1/pipelines/${pipelineId}/stages`, { body: { name: "", probability: 5 } }, /^name/],
      [`/v1/pipelines/${pipelineId}/stages`, { method: "PUT", body: { stageIds: [ids.A] } }, /^stageIds/],
      [`/v1/pipelines/${pipelineId}`, { method: "PATCH", body: { name: 5 } }, /^name/],
      [`${stage(ids.B as string)}?moveTo=nope`, { method: "DELETE" }, /^query\.moveTo/],
    ];
    for (const [path, init, field] of cases) {
      const r = await call(path, { ...init, headers: h });
      expect([path, r.status, r.json.error.message]).toEqual([path, 400, expect.stringMatching(field)]);
    }
  });

  it("adds, reorders and edits stages; the forecast reads the new probability", async () => {
    const added = await call(`/v1/pipelines/${pipelineId}/stages`, {
      body: { name: "C", probability: 30, position: 1 },
      headers: h,
    });
    expect([added.status, names(added.json)]).toEqual([201, ["A", "C", "B", "Won", "Lost"]]);
    ids.C = added.json.stages[1].id;
    const order = [ids.B, ids.A, ids.C, ids.Won, ids.Lost];
    const reordered = await call(`/v1/pipelines/${pipelineId}/stages`, {
      method: "PUT",
      body: { stageIds: order },
      headers: h,
    });
    expect(names(reordered.json)).toEqual(["B", "A", "C", "Won", "Lost"]);
    expect(reordered.json.stages.map((x: { position: number }) => x.position)).toEqual([0, 1, 2, 3, 4]);

    const deal = await call("/v1/deals", {
      body: {
        title: "In B",
        amount: 1_000,
        currency: "GBP",
        pipelineId,
        stageId: ids.B,
        expectedCloseDate: "2032-05-01",
      },
      headers: h,
    });
    expect(deal.status).toBe(201);
    expect(await weighted()).toBe(500);
    const edited = await call(`/v1/pipelines/${pipelineId}/stages/${ids.B}`, {
      method: "PATCH",
      body: { name: "Bee", probability: 70 },
      headers: h,
    });
    expect(edited.json.stages[0]).toMatchObject({ name: "Bee", probability: 70, category: "open" });
    expect(await weighted()).toBe(700);

    // A category changes only while the stage is empty, and the pipeline keeps one of each.
    const busy = await call(`/v1/pipelines/${pipelineId}/stages/${ids.B}`, {
      method: "PATCH",
      body: { category: "won" },
      headers: h,
    });
    expect([busy.status, busy.json.error.code]).toEqual([409, "stage_has_deals"]);
    const lastLost = await call(`/v1/pipelines/${pipelineId}/stages/${ids.Lost}`, {
      method: "PATCH",
      body: { category: "open" },
      headers: h,
    });
    expect([lastLost.status, lastLost.json.error.code]).toEqual([409, "stage_required"]);
    const empty = await call(`/v1/pipelines/${pipelineId}/stages/${ids.C}`, {
      method: "PATCH",
      body: { category: "lost", probability: 40 },
      headers: h,
    });
    expect(empty.json.stages[2]).toMatchObject({ name: "C", category: "lost", probability: 0 });
    await call(`/v1/pipelines/${pipelineId}/stages/${ids.C}`, {
      method: "PATCH",
      body: { category: "open", probability: 30 },
      headers: h,
    });

    const renamed = await call(`/v1/pipelines/${pipelineId}`, {
      method: "PATCH",
      body: { name: "Edited", isDefault: true },
      headers: h,
    });
    expect(renamed.json).toMatchObject({ name: "Edited", isDefault: true });
  });

  it("deleting a stage with deals is a 409 unless they move to another stage of its category", async () => {
    const [deal] = (await call(`/v1/deals?stageId=${ids.B}`, { headers: h })).json.deals;
    const stage = `/v1/pipelines/${pipelineId}/stages/${ids.B}`;
    const refused = await call(stage, { method: "DELETE", headers: h });
    expect([refused.status, refused.json.error.code, refused.json.error.message]).toEqual([
      409,
      "stage_has_deals",
      expect.stringMatching(/^moveTo/),
    ]);
    const toWon = await call(`${stage}?moveTo=${ids.Won}`, { method: "DELETE", headers: h });
    expect([toWon.status, toWon.json.error.message]).toEqual([400, expect.stringMatching(/^moveTo/)]);
    const moved = await call(`${stage}?moveTo=${ids.A}`, { method: "DELETE", headers: h });
    expect([moved.status, moved.json]).toEqual([200, { moved: 1 }]);
    const after = await call(`/v1/deals/${deal.id}`, { headers: h });
    expect(after.json.stageId).toBe(ids.A);
    const history = await call(`/v1/deals/${deal.id}/history`, { headers: h });
    expect(history.json.history.at(-1)).toMatchObject({ fromStageId: ids.B, toStageId: ids.A });
    expect(await weighted()).toBe(100);
    const pipeline = await call(`/v1/pipelines/${pipelineId}`, { headers: h });
    expect([names(pipeline.json), pipeline.json.stages.map((x: { position: number }) => x.position)]).toEqual(
      [
        ["A", "C", "Won", "Lost"],
        [0, 1, 2, 3],
      ],
    );
    const onlyWon = await call(`/v1/pipelines/${pipelineId}/stages/${ids.Won}`, {
      method: "DELETE",
      headers: h,
    });
    expect([onlyWon.status, onlyWon.json.error.code]).toEqual([409, "stage_required"]);
  });

  it("another tenant's pipelines, stages and deals are 404", async () => {
    const [deal] = (await call(`/v1/deals?pipelineId=${pipelineId}`, { headers: h })).json.deals;
    const stage = `/v1/pipelines/${pipelineId}/stages/${ids.A}`;
    const attempts: [string, Parameters<typeof call>[1]][] = [
      [`/v1/pipelines/${pipelineId}`, { method: "PATCH", body: { name: "x" } }],
      [`/v1/pipelines/${pipelineId}`, { method: "DELETE" }],
      [`/v1/pipelines/${pipelineId}/stages`, { body: { name: "x", probability: 1 } }],
      [`/v1/pipelines/${pipelineId}/stages`, { method: "PUT", body: { stageIds: [ids.A] } }],
      [stage, { method: "PATCH", body: { name: "x" } }],
      [stage, { method: "DELETE" }],
      [`/v1/deals/${deal.id}`, { method: "DELETE" }],
    ];
    for (const [path, init] of attempts) {
      const r = await call(path, { ...init, headers: other });
      expect([path, init?.method, r.status]).toEqual([path, init?.method, 404]);
    }
    expect((await call(`/v1/pipelines/${pipelineId}`, { headers: h })).json.name).toBe("Edited");
  });

  it("deleting a deal keeps its activities that belong elsewhere; a pipeline goes once it has no deals", async () => {
    const [deal] = (await call(`/v1/deals?pipelineId=${pipelineId}`, { headers: h })).json.deals;
    const contact = await call("/v1/contacts", { body: { name: "Deal contact" }, headers: h });
    const shared = await call("/v1/activities", {
      body: { kind: "note", subject: "kept", dealId: deal.id, contactId: contact.json.id },
      headers: h,
    });
    const own = await call("/v1/activities", {
      body: { kind: "note", subject: "goes", dealId: deal.id },
      headers: h,
    });
    expect([shared.status, own.status]).toEqual([201, 201]);
    const busy = await call(`/v1/pipelines/${pipelineId}`, { method: "DELETE", headers: h });
    expect([busy.status, busy.json.error.code]).toEqual([409, "pipeline_has_deals"]);

    const del = await call(`/v1/deals/${deal.id}`, { method: "DELETE", headers: h });
    expect(del.status).toBe(200);
    expect((await call(`/v1/deals/${deal.id}`, { headers: h })).status).toBe(404);
    const kept = await call(`/v1/activities?contactId=${contact.json.id}`, { headers: h });
    expect(
      kept.json.activities.map((a: { subject: string; dealId: string | null }) => [a.subject, a.dealId]),
    ).toEqual([["kept", null]]);
    expect(await weighted()).toBe(0);
    await expectRollupsEqualRebuild(s.tenantId, 0);

    expect((await call(`/v1/pipelines/${pipelineId}`, { method: "DELETE", headers: h })).status).toBe(200);
    expect((await call(`/v1/pipelines/${pipelineId}`, { headers: h })).status).toBe(404);
  });
});

describe("conversation hooks", () => {
  it("createLeadFromForm, assignLead and createDeal work for the Conversation DO", async () => {
    const { createLeadFromForm, assignLead, createDeal } = await import(
      "../src/domain/conversation-hooks.js"
    );
    const s = await signup("Hooks");
    const h = bearer((await createKey(s)).secret);
    await call("/v1/pipelines", {
      body: {
        name: "P",
        stages: [
          { name: "New", probability: 10 },
          { name: "Won", probability: 100, category: "won" },
          { name: "Lost", probability: 0, category: "lost" },
        ],
      },
      headers: h,
    });
    const db = ownerDb();
    try {
      const lead = await createLeadFromForm(db, s.tenantId, {
        conversationId: "conv-1",
        contact: { name: "Chat Person", email: "chat@hooks.test" },
        signals: { budget: 5000 },
      });
      expect(lead).toMatchObject({ source: "chat", conversationId: "conv-1" });
      const again = await createLeadFromForm(db, s.tenantId, {
        conversationId: "conv-2",
        contact: { email: "CHAT@hooks.test" },
      });
      expect(again.contactId).toBe(lead.contactId);
      const assigned = await assignLead(db, s.tenantId, { leadId: lead.id });
      expect(assigned).toMatchObject({ ownerId: null, reason: "fallback queue: no rule matched" });
      const deal = await createDeal(db, s.tenantId, {
        title: "From chat",
        amount: 5000,
        contactId: lead.contactId,
        leadId: lead.id,
      });
      expect(deal).toMatchObject({ status: "open", amount: 5000, contactId: lead.contactId });
      await expect(
        createDeal(db, s.tenantId, { title: "x", contactId: crypto.randomUUID() }),
      ).rejects.toMatchObject({ status: 404 });
    } finally {
      await db.end();
    }
  });
});
