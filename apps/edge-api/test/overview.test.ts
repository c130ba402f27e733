import { describe, expect, it } from "vitest";
import { OVERVIEW_COUNT_CAP } from "../src/domain/overview.js";
import { quoteRoute } from "./channel-helpers.js";
import { bearer, call, createKey, ownerDb, signup } from "./helpers.js";

// GET /v1/overview: the home screen's set-up steps and counts in one call.

describe("workspace overview", () => {
  it("counts what waits for a person, only the caller's workspace, and shows each step done as it is", async () => {
    const a = await signup("Overview A");
    const b = await signup("Overview B");
    const empty = await call("/v1/overview", { headers: a.auth });
    expect(empty.status).toBe(200);
    expect(empty.json).toEqual({
      setup: { knowledge: false, playbooks: false, widget: false },
      waitingConversations: 0,
      newLeads: 0,
      openDeals: 0,
    });

    // Workspace A: the three set-up steps, two new leads and one being qualified, two open deals and a won one,
    // a waiting chat and a closed one.
    expect((await call("/v1/routes", { body: quoteRoute, headers: a.auth })).status).toBe(201);
    const faq = await call("/v1/knowledge/sources", {
      body: { kind: "faq", name: "FAQ", pairs: [{ question: "Hours?", answer: "Nine to five." }] },
      headers: a.auth,
    });
    expect(faq.status, JSON.stringify(faq.json)).toBe(201);
    expect((await call("/v1/widget-keys", { body: {}, headers: a.auth })).status).toBe(201);
    const leadIds: string[] = [];
    for (const name of ["Nia New", "Ned New", "Quinn Qualifying"]) {
      const lead = await call("/v1/leads", { body: { contact: { name } }, headers: a.auth });
      expect(lead.status, JSON.stringify(lead.json)).toBe(201);
      leadIds.push(lead.json.id);
    }
    const qualified = await call(`/v1/leads/${leadIds[2]}`, {
      method: "PATCH",
      body: { status: "qualifying" },
      headers: a.auth,
    });
    expect(qualified.status, JSON.stringify(qualified.json)).toBe(200);
    const dealIds: string[] = [];
    for (const title of ["Open one", "Open two", "Won one"]) {
      const deal = await call("/v1/deals", { body: { title }, headers: a.auth });
      expect(deal.status, JSON.stringify(deal.json)).toBe(201);
      dealIds.push(deal.json.id);
    }
    const pipelines = (await call("/v1/pipelines", { headers: a.auth })).json.pipelines as {
      stages: { id: string; category: string }[];
    }[];
    const wonStage = pipelines[0]?.stages.find((st) => st.category === "won")?.id;
    const won = await call(`/v1/deals/${dealIds[2]}`, {
      method: "PATCH",
      body: { stageId: wonStage },
      headers: a.auth,
    });
    expect([won.status, won.json.status]).toEqual([200, "won"]);
    const db = ownerDb();
    try {
      await db.query(
        `insert into conversations (id, tenant_id, channel, visitor_id, status)
         values (gen_random_uuid(), $1, 'web', 'v-waiting', 'waiting'), (gen_random_uuid(), $1, 'web', 'v-closed', 'closed'),
                (gen_random_uuid(), $2, 'web', 'v-theirs', 'waiting')`,
        [a.tenantId, b.tenantId],
      );
    } finally {
      await db.end();
    }
    // B's own lead and deal are not A's.
    expect((await call("/v1/leads", { body: { contact: { name: "B lead" } }, headers: b.auth })).status).toBe(
      201,
    );
    expect((await call("/v1/deals", { body: { title: "B deal" }, headers: b.auth })).status).toBe(201);

    const full = await call("/v1/overview", { headers: a.auth });
    expect(full.json).toEqual({
      setup: { knowledge: true, playbooks: true, widget: true },
      waitingConversations: 1,
      newLeads: 2,
      openDeals: 2,
    });
    const theirs = await call("/v1/overview", { headers: b.auth });
    expect(theirs.json).toEqual({
      setup: { knowledge: false, playbooks: false, widget: false },
      waitingConversations: 1,
      newLeads: 1,
      openDeals: 1,
    });

    // Below admin, widget keys are not the caller's to see: that step is null, the rest the same.
    const viewer = bearer((await createKey(a, "viewer", ["read"])).secret);
    const asViewer = await call("/v1/overview", { headers: viewer });
    expect(asViewer.json).toEqual({ ...full.json, setup: { ...full.json.setup, widget: null } });
    expect((await call("/v1/overview")).status).toBe(401);
  });

  it("stops counting at the cap", async () => {
    const c = await signup("Overview C");
    const db = ownerDb();
    try {
      await db.query(
        `insert into conversations (id, tenant_id, channel, visitor_id, status)
         select gen_random_uuid(), $1, 'web', 'v-' || i, 'waiting' from generate_series(1, $2::int) i`,
        [c.tenantId, OVERVIEW_COUNT_CAP + 5],
      );
    } finally {
      await db.end();
    }
    const res = await call("/v1/overview", { headers: c.auth });
    expect([res.status, res.json.waitingConversations]).toEqual([200, OVERVIEW_COUNT_CAP]);
  });
});
