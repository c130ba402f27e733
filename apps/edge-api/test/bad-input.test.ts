import { describe, expect, it } from "vitest";
import { bearer, call, createKey, signup } from "./helpers.js";

// Bad input is a 400 naming the field, never a 500 and never half-written (issue 15, item 7): text
// Postgres cannot store (NUL, unpaired surrogates) in bodies, queries and paths; empty updates; deep
// JSON; and references to ids that do not exist or are another workspace's, which answer alike.

async function workspace(name: string) {
  const s = await signup(name);
  return { s, h: bearer((await createKey(s)).secret) };
}

const expect400 = (res: { status: number; json: { error?: { message?: string } } }, field: string) => {
  expect(res.status, JSON.stringify(res.json)).toBe(400);
  expect(res.json.error?.message).toMatch(new RegExp(`^${field.replaceAll(".", "\\.")}: `));
};

describe("text Postgres cannot store, anywhere in a request", () => {
  it("NUL and unpaired surrogates in bodies, queries and paths are a 400 naming where; nothing is stored", async () => {
    const { h } = await workspace("Bad text");
    expect400(await call("/v1/companies", { body: { name: "a\u0000b" }, headers: h }), "name");
    expect400(
      await call("/v1/contacts", { body: { name: "Ok", attributes: { note: "x\u0000" } }, headers: h }),
      "attributes.note",
    );
    expect400(
      await call("/v1/workspace", { method: "PATCH", body: { name: "a\ud800b" }, headers: h }),
      "name",
    );
    expect400(await call("/v1/contacts?q=%00", { headers: h }), "query.q");
    expect400(await call("/v1/routes/%00", { headers: h }), "param.id");
    expect400(await call("/v1/knowledge/search?q=a%00b", { headers: h }), "query.q");
    expect400(await call("/v1/reports/funnel?from=2026-01-01&to=%00", { headers: h }), "query.to");
    const companies = await call("/v1/companies", { headers: h });
    expect(companies.json.companies).toEqual([]);
    // A well-formed pair (an emoji) is fine.
    expect((await call("/v1/companies", { body: { name: "Bikes 🚲" }, headers: h })).status).toBe(201);
  });

  it("JSON nested deeper than any schema is refused before it reaches a handler", async () => {
    const { h } = await workspace("Deep");
    let deep: unknown = "bottom";
    for (let i = 0; i < 5000; i++) deep = { d: deep };
    const res = await call("/v1/leads", {
      body: { contact: { name: "Deep Diver" }, attributes: { deep } },
      headers: h,
    });
    expect(res.status).toBe(400);
    expect(res.json.error.message).toMatch(/nested deeper than 32 levels/);
    expect((await call("/v1/leads", { headers: h })).json.leads).toEqual([]);
  });
});

describe("body size caps", () => {
  it("a JSON body over its route's cap is a 413 and nothing is stored; a larger cap where a route needs it", async () => {
    const { h } = await workspace("Caps");
    const big = "x".repeat(300 * 1024);
    const tooBig = await call("/v1/contacts", {
      body: { name: "Big", attributes: { note: big } },
      headers: h,
    });
    expect(tooBig.status).toBe(413);
    expect(tooBig.json.error).toMatchObject({ code: "too_large" });
    expect((await call("/v1/contacts?q=Big", { headers: h })).json.contacts ?? []).toEqual([]);
    // An FAQ source may be larger (up to 2 MiB): 300 KiB of pairs is accepted.
    const pairs = Array.from({ length: 300 }, (_, i) => ({
      question: `Question ${i}?`,
      answer: "a".repeat(1000),
    }));
    const faq = await call("/v1/knowledge/sources", {
      body: { kind: "faq", name: "Big FAQ", pairs },
      headers: h,
    });
    expect(faq.status, JSON.stringify(faq.json).slice(0, 300)).toBe(201);
  });
});

describe("empty updates and references to ids that are not yours", () => {
  it("an empty update is a 400, not a 500", async () => {
    const { h } = await workspace("Empty");
    const pipelines = await call("/v1/pipelines", { headers: h });
    const pipelineId = pipelines.json.pipelines[0].id as string;
    expect400(await call(`/v1/pipelines/${pipelineId}`, { method: "PATCH", body: {}, headers: h }), "body");
    const deal = await call("/v1/deals", { body: { title: "Empty patch" }, headers: h });
    expect(deal.status).toBe(201);
    expect400(await call(`/v1/deals/${deal.json.id}`, { method: "PATCH", body: {}, headers: h }), "body");
  });

  it("an unknown id and another workspace's id get the same 400 naming the field", async () => {
    const mine = await workspace("Mine");
    const theirs = await workspace("Theirs");
    const foreignCompany = (await call("/v1/companies", { body: { name: "Not yours" }, headers: theirs.h }))
      .json.id as string;
    const foreignLead = (
      await call("/v1/leads", { body: { contact: { name: "Their lead" } }, headers: theirs.h })
    ).json.id as string;
    const foreignUser = theirs.s.userId;
    const unknown = crypto.randomUUID();
    const myLead = (await call("/v1/leads", { body: { contact: { name: "My lead" } }, headers: mine.h }))
      .json;
    const lead = myLead.id as string;
    const contactId = myLead.contactId as string;

    const cases: [string, (id: string) => Parameters<typeof call>[1], string][] = [
      ["/v1/contacts", (id) => ({ body: { name: "C", companyId: id } }), "companyId"],
      ["/v1/deals", (id) => ({ body: { title: "D", ownerId: id } }), "ownerId"],
      ["/v1/deals", (id) => ({ body: { title: "D", leadId: id } }), "leadId"],
      [
        "/v1/activities",
        (id) => ({ body: { kind: "note", subject: "N", contactId, ownerId: id } }),
        "ownerId",
      ],
      [`/v1/leads/${lead}/assign`, (id) => ({ body: { ownerId: id } }), "ownerId"],
    ];
    const foreignFor: Record<string, string> = {
      companyId: foreignCompany,
      leadId: foreignLead,
      ownerId: foreignUser,
    };
    for (const [path, init, field] of cases) {
      const a = await call(path, { ...init(unknown), headers: mine.h });
      const b = await call(path, { ...init(foreignFor[field] ?? unknown), headers: mine.h });
      expect400(a, field);
      expect([b.status, b.json.error?.code], `${path} ${field}`).toEqual([a.status, a.json.error?.code]);
    }
    // Nothing was written along the way.
    expect((await call("/v1/deals", { headers: mine.h })).json.deals).toEqual([]);
    expect((await call("/v1/contacts?q=C", { headers: mine.h })).json.contacts ?? []).not.toContainEqual(
      expect.objectContaining({ name: "C" }),
    );
  });
});
