import { beforeAll, describe, expect, it } from "vitest";
import { bearer, call, createKey, ownerDb, signup, waitForImport } from "./helpers.js";
import { tenantRowsAsText } from "./sales-helpers.js";

const RULES = [
  { kind: "fit", label: "Country DE", points: 30, condition: { field: "country", op: "eq", value: "de" } },
  { kind: "engagement", label: "Pricing page", points: 20, eventType: "page.pricing", halfLifeDays: 7 },
  { kind: "signal", label: "Budget ≥ 10k", points: 30, signal: "budget", minBudget: 10_000 },
];

describe("leads: scoring, lifecycle, import, erasure", () => {
  let h: Record<string, string>;
  let other: Record<string, string>;
  let tenantId: string;

  beforeAll(async () => {
    const a = await signup("Leads A");
    tenantId = a.tenantId;
    h = bearer((await createKey(a)).secret);
    other = bearer((await createKey(await signup("Leads B"))).secret);
    expect(
      (await call("/v1/scoring-rules", { method: "PUT", body: { rules: RULES }, headers: h })).status,
    ).toBe(200);
  });

  it("scores on create with an explainable breakdown; thresholds move the status; events rescore", async () => {
    const lead = await call("/v1/leads", {
      body: {
        contact: { name: "Ada", email: "ada@score.test" },
        attributes: { country: "DE" },
        signals: { budget: 20_000 },
      },
      headers: h,
    });
    expect(lead.status).toBe(201);
    expect(lead.json).toMatchObject({ score: 60, status: "mql", source: "api" });
    expect(lead.json.scoreBreakdown).toEqual([
      { kind: "fit", label: "Country DE", points: 30 },
      { kind: "signal", label: "Budget ≥ 10k", points: 30 },
    ]);
    const after = await call(`/v1/leads/${lead.json.id}/events`, {
      body: { type: "page.pricing" },
      headers: h,
    });
    expect(after.json).toMatchObject({ score: 80, status: "sql" });
    const db = ownerDb();
    const events = await db.query<{ type: string; to: string | null }>(
      // Events of one transaction share created_at: within one, order by type (the test's order is per transaction).
      "select type, event->'properties'->>'to' as to from outbox where tenant_id = $1 and event->'subjects'->>'lead' = $2 order by created_at, type",
      [tenantId, lead.json.id],
    );
    await db.end();
    expect(events.map((e) => e.type)).toEqual([
      "lead.created",
      "lead.scored",
      "lead.status_changed",
      "lead.scored",
      "lead.status_changed",
    ]);
    expect(events.filter((e) => e.type === "lead.status_changed").map((e) => e.to)).toEqual(["mql", "sql"]);
  });

  it("engagement decays: an event two half-lives old is worth a quarter", async () => {
    const lead = await call("/v1/leads", { body: { contact: { email: "decay@score.test" } }, headers: h });
    const old = new Date(Date.now() - 14 * 86_400_000).toISOString();
    const res = await call(`/v1/leads/${lead.json.id}/events`, {
      body: { type: "page.pricing", occurredAt: old },
      headers: h,
    });
    expect(res.json.scoreBreakdown).toEqual([{ kind: "engagement", label: "Pricing page", points: 5 }]);
    expect(res.json.status).toBe("new"); // 5 < qualifying threshold 10
  });

  it("lifecycle: disqualifying needs a reason, closed leads stay closed; thresholds are settings", async () => {
    const lead = await call("/v1/leads", { body: { contact: { email: "life@score.test" } }, headers: h });
    const noReason = await call(`/v1/leads/${lead.json.id}`, {
      method: "PATCH",
      body: { status: "disqualified" },
      headers: h,
    });
    expect([noReason.status, noReason.json.error.message]).toEqual([
      400,
      expect.stringMatching(/^disqualifyReason/),
    ]);
    const dq = await call(`/v1/leads/${lead.json.id}`, {
      method: "PATCH",
      body: { status: "disqualified", disqualifyReason: "student" },
      headers: h,
    });
    expect(dq.json).toMatchObject({ status: "disqualified", disqualifyReason: "student" });
    const reopen = await call(`/v1/leads/${lead.json.id}`, {
      method: "PATCH",
      body: { status: "new" },
      headers: h,
    });
    expect(reopen.status).toBe(409);
    const bad = await call("/v1/sales/settings", {
      method: "PATCH",
      body: { mqlScore: 90, sqlScore: 50 },
      headers: h,
    });
    expect([bad.status, bad.json.error.message]).toEqual([400, expect.stringMatching(/^mqlScore/)]);
    const s = await call("/v1/sales/settings", { method: "PATCH", body: { mqlScore: 25 }, headers: h });
    expect(s.json.mqlScore).toBe(25);
    const lower = await call("/v1/leads", {
      body: { contact: { email: "th@score.test" }, attributes: { country: "de" } },
      headers: h,
    });
    expect(lower.json).toMatchObject({ score: 30, status: "mql" });
    await call("/v1/sales/settings", { method: "PATCH", body: { mqlScore: 40 }, headers: h });
  });

  it("bad input is a 400 naming the field", async () => {
    const badEmail = await call("/v1/leads", { body: { contact: { email: "nope" } }, headers: h });
    expect([badEmail.status, badEmail.json.error.message]).toEqual([
      400,
      expect.stringMatching(/^contact\.email/),
    ]);
    const noContact = await call("/v1/leads", { body: { title: "x" }, headers: h });
    expect([noContact.status, noContact.json.error.message]).toEqual([
      400,
      expect.stringMatching(/^contact/),
    ]);
    const badRule = await call("/v1/scoring-rules", {
      method: "PUT",
      body: { rules: [{ kind: "engagement", label: "x", points: 5, eventType: "a", halfLifeDays: -1 }] },
      headers: h,
    });
    expect([badRule.status, badRule.json.error.message]).toEqual([
      400,
      expect.stringMatching(/^rules\.0\.halfLifeDays/),
    ]);
    const badStatus = await call("/v1/leads?status=hot", { headers: h });
    expect(badStatus.json.error.message).toMatch(/^query\.status/);
  });

  it("CSV import reports bad rows and imports the rest (deduping contacts)", async () => {
    await call("/v1/contacts", { body: { name: "Existing", email: "exists@csv.test" }, headers: h });
    const csv = [
      "name,email,phone,company,country,budget",
      "Good One,good1@csv.test,,Acme,DE,20000",
      'Bad Email,"not an email",,,,',
      '"Doe, Jane",exists@csv.test,+44 20 7946 0958,,FR,',
      "No Contact,,,,,",
      "Bad Budget,b@csv.test,,,,lots",
      "Phone Only,,+49 30 901820,,DE,",
    ].join("\r\n");
    const res = await call("/v1/leads/import", {
      rawBody: csv,
      headers: { ...h, "content-type": "text/csv" },
    });
    expect(res.status).toBe(202);
    expect(res.json).toMatchObject({ status: "running", totalRows: 6, rows: 0 });
    const report = await waitForImport(res.json.importId, h);
    expect(report).toMatchObject({ status: "done", totalRows: 6, rows: 6, imported: 3, failed: 3 });
    expect(report.errors.map((e: { row: number; field: string }) => [e.row, e.field])).toEqual([
      [3, "email"],
      [5, "email"],
      [6, "budget"],
    ]);
    const existing = await call("/v1/contacts?email=exists@csv.test", { headers: h });
    expect(existing.json.contacts).toHaveLength(1);
    const theirLeads = await call(`/v1/leads?contactId=${existing.json.contacts[0].id}`, { headers: h });
    expect(theirLeads.json.leads).toHaveLength(1);
    expect(theirLeads.json.leads[0].source).toBe("import");
    const good = await call("/v1/leads?source=import&minScore=60", { headers: h });
    expect(good.json.leads.length).toBe(1); // Good One: DE 30 + budget 30
    const noHeader = await call("/v1/leads/import", {
      rawBody: "a,b\n1,2",
      headers: { ...h, "content-type": "text/csv" },
    });
    expect([noHeader.status, noHeader.json.error.message]).toEqual([400, expect.stringMatching(/^body/)]);
    expect((await call(`/v1/leads/imports/${res.json.importId}`, { headers: other })).status).toBe(404);
  });

  it("another tenant's lead is a 404", async () => {
    const lead = await call("/v1/leads", { body: { contact: { email: "mine@x.test" } }, headers: h });
    const id = lead.json.id;
    expect((await call(`/v1/leads/${id}`, { headers: other })).status).toBe(404);
    expect(
      (await call(`/v1/leads/${id}`, { method: "PATCH", body: { title: "x" }, headers: other })).status,
    ).toBe(404);
    expect((await call(`/v1/leads/${id}/events`, { body: { type: "x" }, headers: other })).status).toBe(404);
    expect((await call(`/v1/leads/${id}/assign`, { method: "POST", headers: other })).status).toBe(404);
    expect((await call(`/v1/leads/${id}/decisions`, { headers: other })).status).toBe(404);
    expect((await call(`/v1/leads/${id}/touch`, { method: "POST", headers: other })).status).toBe(404);
    const theirs = await call("/v1/leads", { body: { contactId: lead.json.contactId }, headers: other });
    expect(theirs.status).toBe(404);
  });

  it("erasure leaves no PII anywhere the tenant's data lives", async () => {
    const email = "zed.erasable@pii.test";
    const lead = await call("/v1/leads", {
      body: {
        title: "Zed Erasable wants a demo",
        contact: { name: "Zed Erasable", email, phone: "+1 415 555 2671" },
        attributes: { nickname: "Zeddy" },
        signals: { need: "Zed needs a CRM" },
      },
      headers: h,
    });
    expect(lead.status).toBe(201);
    await call(`/v1/leads/${lead.json.id}/events`, { body: { type: "form", data: { email } }, headers: h });
    const db = ownerDb();
    await db.query(
      "insert into activities (tenant_id, kind, subject, body, lead_id) values ($1, 'call', 'Called Zed Erasable', $2, $3)",
      [tenantId, `Zed said mail ${email}`, lead.json.id],
    );
    // A chat linked to the contact (contact_id) and one linked only through the lead
    // (leads.conversation_id), with transcripts and analytics events quoting the person.
    const linked = crypto.randomUUID();
    const viaLead = crypto.randomUUID();
    await db.query(
      `insert into conversations (id, tenant_id, channel, visitor_id, contact_id, last_message)
       values ($2, $1, 'web', 'visitor-zed-erasable', $4, 'I am Zed Erasable'),
              ($3, $1, 'web', 'visitor-zeddy', null, 'call me on 4155552671')`,
      [tenantId, linked, viaLead, lead.json.contactId],
    );
    await db.query("update leads set conversation_id = $2 where id = $1", [lead.json.id, viaLead]);
    await db.query(
      `insert into messages (id, tenant_id, conversation_id, seq, sender, text, data)
       values (gen_random_uuid(), $1, $2, 1, 'visitor', 'Hi, Zed Erasable here', '{"form":{"email":"zed.erasable@pii.test"}}'),
              (gen_random_uuid(), $1, $3, 1, 'visitor', 'my number is 4155552671', '{}')`,
      [tenantId, linked, viaLead],
    );
    await db.query(
      `insert into analytics_events (id, tenant_id, type, version, occurred_at, actor_type, actor_id, conversation_id,
                                     lead_id, subjects, properties)
       values (gen_random_uuid(), $1, 'knowledge.question', 1, now(), 'visitor', 'visitor-zed-erasable', $2, null, '{}',
               '{"question":"does Zed Erasable get a discount?","chunkIds":["c1"],"mode":"model"}'),
              (gen_random_uuid(), $1, 'csat.submitted', 1, now(), 'visitor', 'visitor-zeddy', $3, null, '{}',
               '{"score":5,"comment":"Zeddy loved it","agentId":"a1"}'),
              (gen_random_uuid(), $1, 'lead.updated', 1, now(), 'system', null, null, $4, '{}',
               '{"note":"Zed Erasable is keen"}')`,
      [tenantId, linked, viaLead, lead.json.id],
    );
    await db.query(
      `insert into knowledge_unanswered (id, tenant_id, question, question_key, conversation_id, asked_at)
       values (gen_random_uuid(), $1, 'Does Zed Erasable qualify?', 'does zed erasable qualify', $2, now())`,
      [tenantId, linked],
    );
    await db.end();
    const exported = await call(`/v1/contacts/${lead.json.contactId}/export`, { headers: h });
    expect(JSON.stringify(exported.json)).toContain(email);
    const exportedChats = exported.json.conversations as { id: string; messages: { text: string }[] }[];
    expect(exportedChats.map((c) => c.id).sort()).toEqual([linked, viaLead].sort());
    expect(exportedChats.flatMap((c) => c.messages.map((m) => m.text)).sort()).toEqual([
      "Hi, Zed Erasable here",
      "my number is 4155552671",
    ]);
    const erased = await call(`/v1/contacts/${lead.json.contactId}/erase`, { method: "POST", headers: h });
    expect(erased.status).toBe(200);
    const text = await tenantRowsAsText(tenantId, [
      "contacts",
      "companies",
      "leads",
      "lead_events",
      "activities",
      "deals",
      "assignment_decisions",
      "notifications",
      "outbox",
      "audit_log",
      "mail_outbox",
      "lead_imports",
      "conversations",
      "messages",
      "analytics_events",
      "knowledge_unanswered",
    ]);
    for (const pii of ["Zed", "Erasable", "zed.erasable", "4155552671", "Zeddy"]) {
      expect([pii, text.includes(pii)]).toEqual([pii, false]);
    }
    // Structure survives for reports: ids, scores and closed-vocabulary properties.
    const check = ownerDb();
    const [event] = await check.query<{ properties: Record<string, unknown> }>(
      "select properties from analytics_events where tenant_id = $1 and type = 'knowledge.question'",
      [tenantId],
    );
    await check.end();
    expect(event?.properties).toEqual({ question: "[erased]", chunkIds: ["c1"], mode: "model" });
  });
});

describe("leads: conversion into a deal, status history", () => {
  it("converts once into a deal linked to the lead, its contact and company, worth the budget; the history says so", async () => {
    const a = await signup("Convert A");
    const h = bearer((await createKey(a)).secret);
    const other = bearer((await createKey(await signup("Convert B"))).secret);
    // A new workspace starts with a default pipeline, so a lead converts without any setup.
    const listed = await call("/v1/pipelines", { headers: h });
    expect(listed.json.pipelines).toHaveLength(1);
    const pipeline = { json: listed.json.pipelines[0] };
    expect(pipeline.json).toMatchObject({ name: "Sales", isDefault: true });
    expect(
      pipeline.json.stages.map((st: { name: string; category: string }) => `${st.name}:${st.category}`),
    ).toEqual(["New:open", "Qualified:open", "Proposal:open", "Negotiation:open", "Won:won", "Lost:lost"]);
    const lead = await call("/v1/leads", {
      body: {
        contact: { name: "Mia Rossi", email: "mia@convert.test" },
        company: { name: "Rossi Cargo" },
        title: "Cargo bike fleet",
        signals: { budget: 12_000 },
      },
      headers: h,
    });
    expect(lead.status).toBe(201);
    const id = lead.json.id as string;
    expect(
      (await call(`/v1/leads/${id}`, { method: "PATCH", body: { status: "sql" }, headers: h })).status,
    ).toBe(200);

    // Bad input names its field and converts nothing; another tenant cannot even see the lead.
    for (const [body, field] of [
      [{ amount: -5 }, "amount"],
      [{ currency: "euro" }, "currency"],
      [{ stageId: "not-a-uuid" }, "stageId"],
    ] as const) {
      const bad = await call(`/v1/leads/${id}/convert`, { body, headers: h });
      expect(bad.status, JSON.stringify(body)).toBe(400);
      expect(bad.json.error.message).toMatch(new RegExp(`^${field}: `));
    }
    expect((await call(`/v1/leads/${id}/convert`, { body: {}, headers: other })).status).toBe(404);
    expect((await call(`/v1/leads/${id}/history`, { headers: other })).status).toBe(404);
    expect((await call(`/v1/leads/${id}`, { headers: h })).json.status).toBe("sql");

    const converted = await call(`/v1/leads/${id}/convert`, { body: {}, headers: h });
    expect(converted.status, JSON.stringify(converted.json)).toBe(201);
    const stages = pipeline.json.stages as { id: string; name: string }[];
    expect(converted.json.deal).toMatchObject({
      title: "Cargo bike fleet",
      amount: 12_000,
      pipelineId: pipeline.json.id,
      stageId: stages.find((s) => s.name === "New")?.id,
      contactId: lead.json.contactId,
      companyId: lead.json.companyId,
      leadId: id,
    });
    expect(lead.json.companyId).toBeTruthy();
    expect(converted.json.lead.status).toBe("converted");
    const again = await call(`/v1/leads/${id}/convert`, { body: { title: "Twice" }, headers: h });
    expect(again.status).toBe(409);
    expect(again.json.error.code).toBe("already_converted");
    const deals = await call(`/v1/deals?leadId=${id}`, { headers: h });
    expect(deals.json.deals.map((d: { id: string }) => d.id)).toEqual([converted.json.deal.id]);

    const history = await call(`/v1/leads/${id}/history`, { headers: h });
    expect(history.status).toBe(200);
    expect(history.json.history.map((e: { from: string; to: string }) => `${e.from}→${e.to}`)).toEqual([
      "new→sql",
      "sql→converted",
    ]);
    expect(history.json.history[1].reason).toBe('converted into the deal "Cargo bike fleet"');
  });
});
