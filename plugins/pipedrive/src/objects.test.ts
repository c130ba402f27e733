import { loadSyncState, runSync, type SyncCtx } from "@autopilot/sdk";
import { TestHost } from "@autopilot/sdk/testing";
import { describe, expect, it } from "vitest";
import { createFakePipedrive } from "../../../scripts/fakes/pipedrive.js";
import plugin, { setupOf, syncOptions } from "./index.js";

// Organizations and deals with Pipedrive, against the fake company (Pipedrive's v2 wire): both ways,
// a person's organization, a deal's person, organization, stage and status, rules, deletions.

const TOKEN = "pd-token-objects";
const PASSWORD = "hook-password-123";

function setUp(config: Record<string, unknown> = {}) {
  const fake = createFakePipedrive();
  const settings = { apiToken: TOKEN, webhookPassword: PASSWORD, ...config };
  const host = new TestHost(plugin, settings).answer((r) => {
    const a = fake.handle({ method: r.method, url: new URL(r.url), headers: r.headers, body: r.body });
    return new Response(a.json !== undefined ? JSON.stringify(a.json) : (a.text ?? null), {
      status: a.status,
      headers: { "content-type": "application/json", ...a.headers },
    });
  });
  const company = fake.company(TOKEN);
  const sdk = host.context() as unknown as SyncCtx;
  /** Runs until caught up with nothing left to move (bounded). */
  const sync = async (extra: Record<string, unknown> = {}) => {
    const config = { ...settings, ...extra };
    const once = () => runSync(sdk, setupOf({ config, fetch: host.fetch }), syncOptions(config));
    let last = await once();
    for (let i = 0; i < 10 && !(last.caughtUp && last.pulled === 0 && last.pushed === 0); i++)
      last = await once();
    return last;
  };
  const writes = () => host.requests.filter((r) => r.method === "POST" || r.method === "PATCH").length;
  return { host, company, sdk, sync, writes };
}

const hook = (host: TestHost, action: string, entity: string, id: number) =>
  host
    .call({
      kind: "webhook",
      name: "events",
      request: {
        method: "POST",
        url: "/v1/hooks/i/events",
        headers: { authorization: `Basic ${btoa(`pipedrive:${PASSWORD}`)}` },
        body: JSON.stringify({
          meta: { action, entity, entity_id: String(id), version: "2.0" },
          data: { id },
        }),
      },
    })
    .then((out) => (out.ok ? (out.value as { status: number }).status : 0));

describe("Pipedrive sync: organizations and deals", () => {
  it("brings organizations, persons' organizations and deals both ways; a second run writes nothing", async () => {
    const { host, company, sdk, sync, writes } = setUp();
    // In Pipedrive: an organization, a person in it, a deal with both at "Proposal Made".
    const acme = company.writeRecord("organizations", null, { name: "Acme" });
    const ann = company.write(null, {
      name: "Ann Acme",
      emails: [{ value: "ann@acme.test", primary: true, label: "work" }],
      org_id: acme.id,
    });
    company.writeRecord("deals", null, {
      title: "Acme renewal",
      value: 12000,
      currency: "EUR",
      stage_id: 4,
      person_id: ann.id,
      org_id: acme.id,
      expected_close_date: "2027-01-31",
    });
    // Here: a company, a person at it, a deal won.
    const globex = await sdk.companies?.upsert({ name: "Globex", domain: "globex.test" });
    const bob = await sdk.contacts.upsert({ email: "bob@globex.test", name: "Bob G", companyId: globex?.id });
    await sdk.deals?.upsert({
      title: "Globex pilot",
      amount: 500,
      stage: "Won",
      contactId: bob.id,
      companyId: globex?.id,
    });

    expect(await sync()).toMatchObject({ failed: 0, caughtUp: true });
    expect((await loadSyncState(sdk.storage)).errors).toEqual([]);

    const acmeHere = [...host.companies.values()].find((c) => c.name === "Acme");
    const annHere = [...host.contacts.values()].find((c) => c.email === "ann@acme.test");
    expect(annHere?.companyId).toBe(acmeHere?.id);
    expect([...host.deals.values()].find((d) => d.title === "Acme renewal")).toMatchObject({
      amount: 12000,
      currency: "EUR",
      stage: "Proposal",
      status: "open",
      expectedCloseDate: "2027-01-31",
      contactId: annHere?.id,
      companyId: acmeHere?.id,
    });
    const globexThere = [...company.records.organizations.values()].find((o) => o.name === "Globex");
    const bobThere = company.byEmail("bob@globex.test");
    expect(bobThere?.org_id).toBe(globexThere?.id);
    // Won travels as the deal's status (Pipedrive has no won stage).
    expect([...company.records.deals.values()].find((d) => d.title === "Globex pilot")).toMatchObject({
      value: 500,
      status: "won",
      person_id: bobThere?.id,
      org_id: globexThere?.id,
    });

    const [before, here] = [writes(), JSON.stringify([...host.deals.values(), ...host.companies.values()])];
    expect(await sync()).toMatchObject({ pulled: 0, pushed: 0, failed: 0 });
    expect(writes()).toBe(before);
    expect(JSON.stringify([...host.deals.values(), ...host.companies.values()])).toBe(here);
  });

  it("marks a deal lost there when it is lost here, and follows the deletion rule", async () => {
    for (const deletions of ["keep", "mirror"] as const) {
      const { host, company, sdk, sync } = setUp({ deletions });
      const org = company.writeRecord("organizations", null, { name: "Gone Org" });
      const deal = company.writeRecord("deals", null, { title: "Gone deal", stage_id: 2 });
      await sync();
      const here = [...host.deals.values()][0];
      expect(here).toMatchObject({ stage: "Qualified", status: "open" });
      await sdk.deals?.upsert({ id: String(here?.id), title: "Gone deal", status: "lost" });
      await sync();
      expect(company.records.deals.get(deal.id)).toMatchObject({ status: "lost", stage_id: 2 });
      // Deleted in Pipedrive; its webhook passes it on.
      company.writeRecord("deals", deal.id, { is_deleted: true });
      company.writeRecord("organizations", org.id, { is_deleted: true });
      await sdk.deals?.upsert({ id: String(here?.id), title: "Gone deal", status: "open" });
      expect(await hook(host, "delete", "deal", deal.id)).toBe(200);
      expect(await hook(host, "delete", "organization", org.id)).toBe(200);
      const orgHere = [...host.companies.values()][0];
      if (deletions === "mirror") {
        expect(host.deals.get(String(here?.id))?.status).toBe("lost");
        expect(orgHere?.tags).toContain("deleted-in-pipedrive");
      } else {
        expect(host.deals.get(String(here?.id))?.status).toBe("open");
        expect(orgHere?.tags).toEqual([]);
      }
      expect(await sdk.sync.byExternal("deal", String(deal.id))).toBeNull();
      expect(await sdk.sync.byExternal("company", String(org.id))).toBeNull();
    }
  });
});
