import { loadSyncState, runSync, type SyncCtx } from "@autopilot/sdk";
import { TestHost } from "@autopilot/sdk/testing";
import { describe, expect, it } from "vitest";
import { createFakeHubSpot } from "../../../scripts/fakes/hubspot.js";
import plugin, { setupOf, syncOptions } from "./index.js";
import { postSignedEvents } from "./signed-webhook.js";

// Companies and deals with HubSpot, against the fake portal (HubSpot's wire: v3 objects, v4
// associations, the deal pipeline): both ways, associations, stages, rules, deletions.

const TOKEN = "pat-na1-objects";

function setUp(config: Record<string, unknown> = {}, latencyMs = 0) {
  const fake = createFakeHubSpot();
  const settings = { accessToken: TOKEN, ...config };
  const host = new TestHost(plugin, settings).answer(async (r) => {
    if (latencyMs) await new Promise((done) => setTimeout(done, latencyMs));
    const a = fake.handle({ method: r.method, url: new URL(r.url), headers: r.headers, body: r.body });
    return new Response(a.json !== undefined ? JSON.stringify(a.json) : (a.text ?? null), {
      status: a.status,
      headers: { "content-type": "application/json", ...a.headers },
    });
  });
  const portal = fake.portal(TOKEN);
  const sdk = host.context() as unknown as SyncCtx;
  /** Runs until caught up with nothing left to move (bounded). */
  const sync = async (extra: Record<string, unknown> = {}) => {
    const options = syncOptions({ ...settings, ...extra });
    let last = await runSync(sdk, setupOf({ config: { ...settings, ...extra }, fetch: host.fetch }), options);
    for (let i = 0; i < 10 && !(last.caughtUp && last.pulled === 0 && last.pushed === 0); i++)
      last = await runSync(sdk, setupOf({ config: { ...settings, ...extra }, fetch: host.fetch }), options);
    return last;
  };
  const writes = () =>
    host.requests.filter((r) => /batch\/(create|update|upsert|associate)/.test(r.url)).length;
  return { host, portal, sdk, sync, writes };
}

describe("HubSpot sync: companies and deals", () => {
  it("brings companies, contacts' companies and deals both ways; a second run writes nothing", async () => {
    const { host, portal, sdk, sync, writes } = setUp();
    // In HubSpot: a company, a contact at it, a deal with both in "Contract Sent".
    const acme = portal.writeObject("companies", null, { name: "Acme", domain: "acme.test" });
    const ann = portal.write(null, { email: "ann@acme.test", firstname: "Ann" });
    portal.associate("contacts", ann.id, "companies", acme.id);
    const big = portal.writeObject("deals", null, {
      dealname: "Acme renewal",
      amount: "12000",
      deal_currency_code: "EUR",
      dealstage: "contractsent",
      closedate: "2027-01-31T00:00:00.000Z",
    });
    portal.associate("deals", big.id, "contacts", ann.id);
    portal.associate("deals", big.id, "companies", acme.id);
    // Here: a company, a contact at it, a deal won.
    const globex = await sdk.companies?.upsert({ name: "Globex", domain: "https://www.globex.test/" });
    const bob = await sdk.contacts.upsert({ email: "bob@globex.test", name: "Bob G", companyId: globex?.id });
    await sdk.deals?.upsert({
      title: "Globex pilot",
      amount: 500,
      currency: "USD",
      stage: "Won",
      contactId: bob.id,
      companyId: globex?.id,
    });

    const out = await sync();
    expect(out).toMatchObject({ failed: 0, caughtUp: true });
    expect((await loadSyncState(sdk.storage)).errors).toEqual([]);

    // Here: HubSpot's company, Ann at Acme, the deal in our "Negotiation" (the stage map) with both.
    const here = [...host.companies.values()].find((c) => c.domain === "acme.test");
    expect(here?.name).toBe("Acme");
    const annHere = [...host.contacts.values()].find((c) => c.email === "ann@acme.test");
    expect(annHere?.companyId).toBe(here?.id);
    const dealHere = [...host.deals.values()].find((d) => d.title === "Acme renewal");
    expect(dealHere).toMatchObject({
      amount: 12000,
      currency: "EUR",
      stage: "Negotiation",
      status: "open",
      expectedCloseDate: "2027-01-31",
      contactId: annHere?.id,
      companyId: here?.id,
    });

    // There: Globex, Bob at Globex, the pilot closed won with both.
    const globexThere = [...portal.objects.companies.values()].find((c) => c.properties.name === "Globex");
    expect(globexThere?.properties.domain).toBe("globex.test");
    const bobThere = portal.byEmail("bob@globex.test");
    expect(portal.associated("contacts", String(bobThere?.id), "companies")).toEqual([globexThere?.id]);
    const pilot = [...portal.objects.deals.values()].find((d) => d.properties.dealname === "Globex pilot");
    expect(pilot?.properties).toMatchObject({
      amount: "500",
      deal_currency_code: "USD",
      dealstage: "closedwon",
    });
    expect(portal.associated("deals", String(pilot?.id), "contacts")).toEqual([bobThere?.id]);
    expect(portal.associated("deals", String(pilot?.id), "companies")).toEqual([globexThere?.id]);

    // Again: nothing changes on either side.
    const [before, stamps] = [writes(), JSON.stringify([...host.deals.values(), ...host.companies.values()])];
    const again = await sync();
    expect(again).toMatchObject({ pulled: 0, pushed: 0, failed: 0 });
    expect(writes()).toBe(before);
    expect(JSON.stringify([...host.deals.values(), ...host.companies.values()])).toBe(stamps);
  });

  it("lets one run at a time hold the sync: Sync now during a run waits, then goes on", async () => {
    // HubSpot answering in 30 ms: a run takes a while, as over the network.
    const { host, portal, sdk } = setUp({}, 30);
    for (let i = 0; i < 5; i++)
      portal.writeObject("deals", null, { dealname: `Deal ${i}`, dealstage: "qualifiedtobuy" });
    await sdk.deals?.upsert({ title: "Ours" });
    const once = () =>
      runSync(sdk, setupOf({ config: { accessToken: TOKEN }, fetch: host.fetch }), syncOptions({}));
    const first = once();
    await new Promise((r) => setTimeout(r, 10));
    expect(await once()).toMatchObject({ busy: true, pulled: 0, pushed: 0 });
    expect(await first).toMatchObject({ pulled: 5, pushed: 1, failed: 0 });
    // Done: the next run goes on (nothing left), and each deal is once on each side.
    expect(await once()).toMatchObject({ pulled: 0, pushed: 0 });
    expect([host.deals.size, [...portal.objects.deals.values()].length]).toEqual([6, 6]);
    // A schedule that finds the sync held comes back after the lease.
    const held = await loadSyncState(sdk.storage);
    held.busyUntil = Date.now() + 10_000;
    await sdk.storage.put("state", held);
    const scheduled = await host.call({ kind: "schedule", name: "sync" });
    expect(scheduled).toMatchObject({ ok: true, value: { again: true, afterSeconds: 10 } });
  });

  it("moves a deal's stage both ways and settles a conflict on the amount by the rule", async () => {
    // The rule is per field, whichever side changed it: HubSpot winning keeps its stage too.
    for (const [rule, expected, stage, hubStage, fieldRules] of [
      ["hubspot", 300, "Qualified", "qualifiedtobuy", ""],
      ["autopilot", 400, "Proposal", "presentationscheduled", ""],
      // Per field: HubSpot's amount, our stage.
      ["autopilot", 300, "Proposal", "presentationscheduled", "amount = hubspot"],
    ] as const) {
      const { host, portal, sdk, sync } = setUp();
      const d = portal.writeObject("deals", null, {
        dealname: "Move me",
        amount: "100",
        dealstage: "qualifiedtobuy",
      });
      await sync({ otherRule: rule, fieldRules });
      const here = [...host.deals.values()][0];
      expect(here).toMatchObject({ stage: "Qualified", amount: 100 });
      // Both change the amount, ours last; ours also moves the stage to Proposal.
      portal.writeObject("deals", d.id, { amount: "300" });
      await new Promise((r) => setTimeout(r, 5));
      await sdk.deals?.upsert({ id: String(here?.id), title: "Move me", amount: 400, stage: "Proposal" });
      await sync({ otherRule: rule, fieldRules });
      const after = host.deals.get(String(here?.id));
      expect([rule, after?.amount, after?.stage]).toEqual([rule, expected, stage]);
      const there = portal.objects.deals.get(d.id)?.properties;
      expect([rule, there?.amount, there?.dealstage]).toEqual([rule, String(expected), hubStage]);
      // Closed lost in HubSpot: lost here.
      portal.writeObject("deals", d.id, { dealstage: "closedlost" });
      await sync({ otherRule: rule, fieldRules });
      expect(host.deals.get(String(here?.id))).toMatchObject({ stage: "Lost", status: "lost" });
    }
  });

  it("takes a contact's new company from HubSpot's associationChange webhook", async () => {
    const { host, portal, sync } = setUp({ clientSecret: "client-secret" });
    await host.call({ kind: "install", hooks: { events: "https://api.example.com/v1/hooks/i/events" } });
    const [a, b] = [
      portal.writeObject("companies", null, { name: "A", domain: "a.test" }),
      portal.writeObject("companies", null, { name: "B", domain: "b.test" }),
    ];
    const zoe = portal.write(null, { email: "zoe@a.test", firstname: "Zoe" });
    portal.associate("contacts", zoe.id, "companies", a.id);
    await sync();
    const companyOf = () => {
      const c = [...host.contacts.values()].find((x) => x.email === "zoe@a.test");
      return [...host.companies.values()].find((x) => x.id === c?.companyId)?.name;
    };
    expect(companyOf()).toBe("A");
    // Moved to B in HubSpot: an association change alone leaves the contact's modification time as it was.
    portal.dissociate("contacts", zoe.id, "companies", a.id);
    portal.associate("contacts", zoe.id, "companies", b.id);
    const body = JSON.stringify([
      {
        subscriptionType: "contact.associationChange",
        fromObjectId: Number(zoe.id),
        toObjectId: Number(b.id),
        associationType: "CONTACT_TO_COMPANY",
      },
    ]);
    expect(await postSignedEvents(host, body)).toBe(200);
    expect(companyOf()).toBe("B");
  });

  it("follows the deletion rule for deals and companies deleted in HubSpot (its signed webhook)", async () => {
    for (const deletions of ["keep", "mirror"] as const) {
      const { host, portal, sync } = setUp({ deletions, clientSecret: "client-secret" });
      await host.call({ kind: "install", hooks: { events: "https://api.example.com/v1/hooks/i/events" } });
      const co = portal.writeObject("companies", null, { name: "Gone Co", domain: "gone.test" });
      const d = portal.writeObject("deals", null, {
        dealname: "Gone deal",
        dealstage: "appointmentscheduled",
      });
      await sync();
      expect([host.deals.size, host.companies.size]).toEqual([1, 1]);
      const body = JSON.stringify([
        { subscriptionType: "deal.deletion", objectId: Number(d.id) },
        { subscriptionType: "company.deletion", objectId: Number(co.id) },
      ]);
      expect(await postSignedEvents(host, body)).toBe(200);
      const deal = [...host.deals.values()][0];
      const company = [...host.companies.values()][0];
      if (deletions === "mirror") {
        expect(deal).toMatchObject({ status: "lost", stage: "Lost" });
        expect(company?.tags).toContain("deleted-in-hubspot");
      } else {
        expect(deal).toMatchObject({ status: "open" });
        expect(company?.tags).toEqual([]);
      }
      // Unlinked either way: neither comes back nor is deleted there later.
      expect([...host.links.values()].map((l) => l.objectType)).toEqual([]);
    }
  });
});
