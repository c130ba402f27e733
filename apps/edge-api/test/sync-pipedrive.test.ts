import { afterAll, describe, expect, inject, it } from "vitest";
import { installBuilt, until } from "./channel-helpers.js";
import { call, ownerDb, signup } from "./helpers.js";

// The first-party Pipedrive sync (plugins/pipedrive), built by the SDK as a developer's plugin would
// be, installed in a workspace and talking to a local Pipedrive that speaks its API v2 wire (persons
// listed by update_time with cursor paging, search by email, create, update, delete; 429 past the
// burst window): contacts both ways, a second run changing nothing, deletions mirrored both ways,
// Pipedrive's v2 webhooks taken with their Basic credentials and refused without them.

const db = ownerDb();
afterAll(async () => {
  await db.end();
});

const fake = inject("fakePipedriveUrl");
const PASSWORD = "pipedrive-hook-password";

type Person = {
  id: number;
  name: string;
  emails: { value: string }[];
  phones: { value: string }[];
  update_time: string;
  is_deleted: boolean;
};

async function pipedriveWorkspace(name: string) {
  const s = await signup(name);
  const token = `pd-${crypto.randomUUID()}`;
  const installId = await installBuilt(
    db,
    s,
    { manifest: inject("pipedriveManifest"), bundle: inject("pipedriveBundle") },
    {
      apiToken: token,
      webhookUser: "hooks",
      webhookPassword: PASSWORD,
      apiBaseUrl: fake,
      deletions: "mirror",
    },
  );
  const drive = async (path: string, init: { method?: string; body?: unknown } = {}) => {
    const res = await fetch(`${fake}${path}`, {
      method: init.method ?? (init.body ? "POST" : "GET"),
      headers: { "x-api-token": token, "content-type": "application/json" },
      ...(init.body ? { body: JSON.stringify(init.body) } : {}),
    });
    return ((await res.json()) as { data: unknown }).data;
  };
  const person = async (name: string, email: string, phone?: string) =>
    (await drive("/_control/persons", {
      body: {
        name,
        emails: [{ value: email, primary: true }],
        ...(phone ? { phones: [{ value: phone, primary: true }] } : {}),
      },
    })) as Person;
  return { ...s, installId, token, drive, person };
}
type W = Awaited<ReturnType<typeof pipedriveWorkspace>>;

const syncNow = async (w: W) => {
  const res = await call(`/v1/plugins/installs/${w.installId}/actions/sync_now`, {
    body: {},
    headers: w.auth,
  });
  expect(res.status, JSON.stringify(res.json)).toBe(200);
  return res.json.value as {
    pulled: number;
    pushed: number;
    failed: number;
    caughtUp: boolean;
    paused?: number;
  };
};
const persons = async (w: W) =>
  ((await w.drive("/_control/persons")) as Person[]).filter((p) => !p.is_deleted);
const localContacts = async (w: W) =>
  (await call("/v1/contacts?limit=200", { headers: w.auth })).json.contacts as {
    id: string;
    email: string;
    name: string | null;
    phone: string | null;
    tags: string[];
  }[];

describe("Pipedrive sync", () => {
  it("brings contacts both ways, changes nothing the second time, and mirrors deletions both ways", async () => {
    const w = await pipedriveWorkspace("Drive Both");
    await w.person("Ann Drive", "ann@pd.test", "+442079460958");
    // A phone without its country code: AutopilotCRM does not take it, and it does not bounce.
    const bob = await w.person("Bob Drive", "bob@pd.test", "555 0100");
    const cat = (
      await call("/v1/contacts", { body: { email: "cat@here.test", name: "Cat Here" }, headers: w.auth })
    ).json.id as string;

    expect(await syncNow(w)).toMatchObject({ pulled: 2, pushed: 1, failed: 0, caughtUp: true });
    expect((await localContacts(w)).map((c) => [c.email, c.name, c.phone]).sort()).toEqual([
      ["ann@pd.test", "Ann Drive", "+442079460958"],
      ["bob@pd.test", "Bob Drive", null],
      ["cat@here.test", "Cat Here", null],
    ]);
    expect(
      (await persons(w)).map((p) => [p.emails[0]?.value, p.name, p.phones[0]?.value ?? null]).sort(),
    ).toEqual([
      ["ann@pd.test", "Ann Drive", "+442079460958"],
      ["bob@pd.test", "Bob Drive", "555 0100"],
      ["cat@here.test", "Cat Here", null],
    ]);

    // The second and third runs change nothing on either side.
    const versions = (await persons(w)).map((p) => p.update_time).join();
    for (let i = 0; i < 2; i++) expect(await syncNow(w)).toMatchObject({ pulled: 0, pushed: 0, failed: 0 });
    expect((await persons(w)).map((p) => p.update_time).join()).toBe(versions);

    // A change in Pipedrive comes in; a deletion here deletes the person there (deletions: mirror).
    await w.drive(`/_control/persons/${bob.id}`, { method: "PATCH", body: { name: "Robert Drive" } });
    expect((await call(`/v1/contacts/${cat}`, { method: "DELETE", headers: w.auth })).status).toBeLessThan(
      300,
    );
    expect(await syncNow(w)).toMatchObject({ pulled: 1, failed: 0 });
    expect((await localContacts(w)).find((c) => c.email === "bob@pd.test")?.name).toBe("Robert Drive");
    expect((await persons(w)).map((p) => p.emails[0]?.value).sort()).toEqual(["ann@pd.test", "bob@pd.test"]);

    // The status report shows where it stands.
    const status = await call(`/v1/plugins/installs/${w.installId}/reports/sync_status`, {
      body: { parameters: {} },
      headers: w.auth,
    });
    expect(status.status, JSON.stringify(status.json)).toBe(200);
    expect(status.json.rows).toContainEqual(expect.objectContaining({ what: "Up to date", value: "yes" }));
    expect(status.json.rows).toContainEqual(
      expect.objectContaining({ what: "Contacts deleted in Pipedrive", value: 1 }),
    );
  });

  it("waits out 429s and ends with every contact once on each side", async () => {
    const w = await pipedriveWorkspace("Drive Storm");
    for (let i = 0; i < 40; i++) await w.person(`P ${i}`, `p${i}@storm.test`);
    for (let i = 0; i < 15; i++)
      await call("/v1/contacts", { body: { email: `l${i}@storm.test`, name: `L ${i}` }, headers: w.auth });
    let paused = 0;
    for (let run = 0; run < 40; run++) {
      if (run === 0 || run === 2) await w.drive("/_control/rate-limit", { body: { next: 1 } });
      const out = await syncNow(w);
      if (out.paused) {
        paused++;
        expect(out.paused - Date.now()).toBeLessThanOrEqual(3100);
        await new Promise((r) => setTimeout(r, Math.max(0, (out.paused ?? 0) - Date.now()) + 50));
        continue;
      }
      if (out.caughtUp && out.pulled === 0 && out.pushed === 0) break;
    }
    expect(paused).toBe(2);
    const locals = await localContacts(w);
    const remotes = await persons(w);
    expect(locals).toHaveLength(55);
    expect(new Set(locals.map((c) => c.email)).size).toBe(55);
    expect(remotes).toHaveLength(55);
    expect(new Set(remotes.map((p) => p.emails[0]?.value)).size).toBe(55);
  }, 120_000); // bounded by its 40 runs; the time is a loaded CI machine's margin

  it("takes Pipedrive's v2 webhooks with their Basic credentials; refuses others, storing nothing", async () => {
    const w = await pipedriveWorkspace("Drive Hooks");
    const eve = await w.person("Eve Hook", "eve@hook.test");
    const path = `/v1/hooks/${w.installId}/events`;
    const post = (action: string, id: number, auth?: string) =>
      call(path, {
        rawBody: JSON.stringify({
          meta: {
            action,
            entity: "person",
            entity_id: String(id),
            id: crypto.randomUUID(),
            attempt: 1,
            version: "2.0",
          },
          data: { id },
          previous: null,
        }),
        headers: { "content-type": "application/json", ...(auth ? { authorization: auth } : {}) },
      });
    const basic = (user: string, password: string) => `Basic ${btoa(`${user}:${password}`)}`;
    expect((await post("create", eve.id)).status).toBe(401);
    expect((await post("create", eve.id, basic("hooks", "not-the-password"))).status).toBe(401);
    expect((await post("create", eve.id, basic("pipedrive", PASSWORD))).status).toBe(401);
    expect(await localContacts(w)).toEqual([]);
    expect((await post("create", eve.id, basic("hooks", PASSWORD))).status).toBe(200);
    const found = await until(
      () => localContacts(w),
      (list) => list.length > 0,
    );
    expect(found.map((c) => c.email)).toEqual(["eve@hook.test"]);

    // Deleted in Pipedrive: the contact stays here, tagged (deletions: mirror).
    await w.drive(`/_control/persons/${eve.id}`, { method: "DELETE" });
    expect((await post("delete", eve.id, basic("hooks", PASSWORD))).status).toBe(200);
    const tagged = await until(
      () => localContacts(w),
      (list) => list[0]?.tags.includes("deleted-in-pipedrive") ?? false,
    );
    expect(tagged.map((c) => c.email)).toEqual(["eve@hook.test"]);
  });

  it("brings organizations and deals both ways; a record Pipedrive refuses is listed and retried alone", async () => {
    const w = await pipedriveWorkspace("Drive Objects");
    type Org = { id: number; name: string; is_deleted: boolean };
    type Deal = {
      id: number;
      title: string;
      status: string;
      org_id: number | null;
      person_id: number | null;
    };
    const org = (await w.drive("/_control/organizations", { body: { name: "Initech" } })) as Org;
    const pia = (await w.drive("/_control/persons", {
      body: { name: "Pia Initech", emails: [{ value: "pia@initech.test", primary: true }], org_id: org.id },
    })) as Person;
    await w.drive("/_control/deals", {
      body: {
        title: "Initech seats",
        value: 900,
        currency: "GBP",
        stage_id: 5,
        person_id: pia.id,
        org_id: org.id,
      },
    });
    // Pipedrive asks every new deal for a close date; ours has none, so that one is refused.
    await w.drive("/_control/required", { body: { deals: ["expected_close_date"] } });
    const hooli = (await call("/v1/companies", { body: { name: "Hooli" }, headers: w.auth })).json
      .id as string;
    const deal = await call("/v1/deals", {
      body: { title: "Hooli trial", amount: 50, companyId: hooli },
      headers: w.auth,
    });
    expect(deal.status).toBe(201);

    let out = await syncNow(w);
    for (let i = 0; i < 5 && !(out.caughtUp && out.pulled === 0 && out.pushed === 0); i++)
      out = await syncNow(w);
    expect(out.caughtUp).toBe(true);
    // Theirs here: Initech, Pia at Initech, the deal at our Negotiation (the stage map) with both.
    const companies = (await call("/v1/companies?limit=50", { headers: w.auth })).json.companies as {
      id: string;
      name: string;
    }[];
    const initech = companies.find((c) => c.name === "Initech");
    const piaHere = (await localContacts(w)).find((c) => c.email === "pia@initech.test");
    expect((await call(`/v1/contacts/${piaHere?.id}`, { headers: w.auth })).json.companyId).toBe(initech?.id);
    const deals = (await call("/v1/deals?limit=50", { headers: w.auth })).json.deals as {
      id: string;
      title: string;
      currency: string;
      stageId: string;
      contactId: string;
      companyId: string;
    }[];
    const seats = deals.find((d) => d.title === "Initech seats");
    expect(seats).toMatchObject({ currency: "GBP", contactId: piaHere?.id, companyId: initech?.id });
    const stages = (await call("/v1/pipelines", { headers: w.auth })).json.pipelines[0].stages as {
      id: string;
      name: string;
    }[];
    expect(stages.find((x) => x.id === seats?.stageId)?.name).toBe("Negotiation");
    // Ours there: Hooli; the trial is refused and listed with the reason.
    const orgs = ((await w.drive("/_control/organizations")) as Org[]).map((o) => o.name).sort();
    expect(orgs).toEqual(["Hooli", "Initech"]);
    const status = async () =>
      (
        await call(`/v1/plugins/installs/${w.installId}/reports/sync_status`, {
          body: { parameters: {} },
          headers: w.auth,
        })
      ).json.rows as { section: string; type: string; side: string; id: string; value: string }[];
    const failed = (await status()).filter((r) => r.section === "failed");
    expect(failed).toEqual([
      expect.objectContaining({
        type: "deal",
        side: "push",
        id: deal.json.id,
        value: expect.stringMatching(/expected_close_date/),
      }),
    ]);

    // Pipedrive no longer asks for it; that one record is retried alone and goes through.
    await w.drive("/_control/required", { body: {} });
    const retry = await call(`/v1/plugins/installs/${w.installId}/actions/retry_record`, {
      body: { input: { type: "deal", side: "push", id: deal.json.id } },
      headers: w.auth,
    });
    expect(retry.status, JSON.stringify(retry.json)).toBe(200);
    expect(retry.json.value).toMatchObject({ retried: 1, fixed: 1, failed: 0, found: true });
    expect((await status()).filter((r) => r.section === "failed")).toEqual([]);
    const trial = ((await w.drive("/_control/deals")) as Deal[]).find((d) => d.title === "Hooli trial");
    const hooliThere = ((await w.drive("/_control/organizations")) as Org[]).find((o) => o.name === "Hooli");
    expect(trial?.org_id).toBe(hooliThere?.id);
    // A record not in the list, or input the action does not take: refused or nothing to do.
    const none = await call(`/v1/plugins/installs/${w.installId}/actions/retry_record`, {
      body: { input: { type: "deal", side: "push", id: deal.json.id } },
      headers: w.auth,
    });
    expect(none.json.value).toMatchObject({ retried: 0, found: false });
    const bad = await call(`/v1/plugins/installs/${w.installId}/actions/retry_record`, {
      body: { input: { type: "ticket", side: "push", id: "x" } },
      headers: w.auth,
    });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.json)).toMatch(/type/);
  });
});
