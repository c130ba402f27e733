import { env } from "cloudflare:test";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pruneLogs } from "../src/domain/log-retention.js";
import { createLogger } from "../src/lib/log.js";
import { outboxMailer } from "../src/mail/mailer.js";
import { putBundle } from "../src/plugins/bundles.js";
import { createInstall, type InstallRecord } from "../src/plugins/installs.js";
import { invokePlugin } from "../src/plugins/invoke.js";
import { call, ownerDb, type Session, signup } from "./helpers.js";

// What CRM sync plugins stand on, in workerd: the sync capability (which local record is which remote
// one: one to one, per install, nobody else's) and the contacts changes feed (every change after a
// cursor, in order, deletions, merges and erasures included), both checked against the grant.

const PROBE = `
import { WorkerEntrypoint } from "cloudflare:workers";
export default class extends WorkerEntrypoint {
  async invoke(call) {
    try {
      return { ok: true, value: await this.env.API.call(call.input.capability, call.input.method, call.input.args) };
    } catch (e) {
      return { ok: true, value: { refused: String(e && e.message) } };
    }
  }
}`;

const manifest = (id: string, permissions: string[]) => ({
  id,
  name: "Sync probe",
  version: "1.0.0",
  engine: "^1.0.0",
  kinds: ["action"],
  permissions,
  actions: [{ name: "capability", title: "capability" }],
});

const db = ownerDb();
let a: Session;
let b: Session;
let syncA: InstallRecord;
let otherA: InstallRecord;
let syncB: InstallRecord;
let noSync: InstallRecord;

async function install(s: Session, id: string, permissions: string[]) {
  const sha = await putBundle(env, PROBE);
  return createInstall(db, s.tenantId, {
    manifest: manifest(id, permissions),
    bundleSha256: sha,
    grant: { permissions, hosts: [] },
  });
}

const cap = async (i: InstallRecord, capability: string, method: string, ...args: unknown[]) => {
  const out = await invokePlugin({ env, db, mailer: outboxMailer }, i, {
    kind: "action",
    name: "capability",
    input: { capability, method, args },
  });
  if (!out.ok) throw new Error(`${out.code}: ${out.message}`);
  return out.value as Record<string, unknown> & { refused?: string };
};

const contact = async (s: Session, email: string) =>
  (await call("/v1/contacts", { body: { email, name: email.split("@")[0] }, headers: s.auth })).json
    .id as string;

beforeAll(async () => {
  [a, b] = [await signup("Sync A"), await signup("Sync B")];
  syncA = await install(a, "probe/sync", ["sync", "contacts:read"]);
  otherA = await install(a, "probe/other-sync", ["sync"]);
  syncB = await install(b, "probe/sync", ["sync", "contacts:read"]);
  noSync = await install(a, "probe/no-sync", ["contacts:read"]);
});
afterAll(async () => {
  await db.end();
});

describe("sync links", () => {
  it("keep one remote record per local one, per install, and nobody else's", async () => {
    const [c1, c2] = [await contact(a, "one@sync.test"), await contact(a, "two@sync.test")];
    const linked = await cap(syncA, "sync", "link", {
      objectType: "contact",
      localId: c1,
      externalId: "hs-1",
      remoteVersion: "2026-12-01T10:00:00Z",
      hash: "abc",
    });
    expect(linked).toMatchObject({
      objectType: "contact",
      localId: c1,
      externalId: "hs-1",
      remoteVersion: "2026-12-01T10:00:00Z",
      hash: "abc",
    });
    expect(await cap(syncA, "sync", "byExternal", "contact", "hs-1")).toMatchObject({ localId: c1 });
    expect(await cap(syncA, "sync", "byLocal", "contact", c1)).toMatchObject({ externalId: "hs-1" });
    // hs-1 now names c2: c1 loses its link (one to one both ways).
    await cap(syncA, "sync", "link", { objectType: "contact", localId: c2, externalId: "hs-1" });
    expect(await cap(syncA, "sync", "byLocal", "contact", c1)).toBeNull();
    expect(await cap(syncA, "sync", "byExternal", "contact", "hs-1")).toMatchObject({
      localId: c2,
      hash: null,
    });
    // Another install, and another workspace's install of the same plugin, see none of it.
    expect(await cap(otherA, "sync", "byExternal", "contact", "hs-1")).toBeNull();
    expect(await cap(syncB, "sync", "byExternal", "contact", "hs-1")).toBeNull();
    expect(await cap(syncB, "sync", "byLocal", "contact", c2)).toBeNull();
    await cap(syncA, "sync", "unlink", "contact", c2);
    expect(await cap(syncA, "sync", "byExternal", "contact", "hs-1")).toBeNull();
    // Bad input is named; no grant, no capability.
    expect(
      (await cap(syncA, "sync", "link", { objectType: "ticket", localId: c1, externalId: "x" })).refused,
    ).toMatch(/objectType/);
    expect((await cap(noSync, "sync", "byLocal", "contact", c1)).refused).toMatch(/sync/);
  });
});

describe("contacts changes feed", () => {
  it("gives every change after the cursor once, in order, deletions and merges included", async () => {
    const s = await signup("Sync Feed");
    const feed = await install(s, "probe/feed", ["contacts:read"]);
    const ids: string[] = [];
    for (const n of [1, 2, 3, 4, 5]) ids.push(await contact(s, `c${n}@feed.test`));
    // Paged two at a time, every contact once, oldest first.
    const seen: string[] = [];
    let cursor: string | null = null;
    for (let page = 0; page < 10; page++) {
      const out = (await cap(feed, "contacts", "changes", { after: cursor, limit: 2 })) as {
        contacts: { id: string }[];
        next: string | null;
      };
      if (out.contacts.length === 0) break;
      seen.push(...out.contacts.map((c) => c.id));
      cursor = out.next;
    }
    expect(seen).toEqual(ids);
    const end = cursor;
    // Each change's own cursor goes on right after it (a page taken in part).
    const whole = (await cap(feed, "contacts", "changes", { limit: 5 })) as {
      contacts: { id: string; cursor: string }[];
    };
    const rest = (await cap(feed, "contacts", "changes", { after: whole.contacts[1]?.cursor })) as {
      contacts: { id: string }[];
    };
    expect(rest.contacts.map((c) => c.id)).toEqual(ids.slice(2));

    // A change, a deletion and a merge after the cursor: each shows once, as it is now.
    await call(`/v1/contacts/${ids[0]}`, { method: "PATCH", body: { name: "Renamed" }, headers: s.auth });
    expect((await call(`/v1/contacts/${ids[1]}`, { method: "DELETE", headers: s.auth })).status).toBeLessThan(
      300,
    );
    expect(
      (await call(`/v1/contacts/${ids[2]}/merge`, { body: { duplicateId: ids[3] }, headers: s.auth })).status,
    ).toBe(200);
    const after = (await cap(feed, "contacts", "changes", { after: end })) as {
      contacts: { id: string; deleted: boolean; name?: string }[];
    };
    const byId = new Map(after.contacts.map((c) => [c.id, c]));
    expect(byId.get(ids[0] ?? "")).toMatchObject({ deleted: false, name: "Renamed" });
    expect(byId.get(ids[1] ?? "")).toMatchObject({ deleted: true });
    expect(byId.get(ids[3] ?? "")).toMatchObject({ deleted: true });
    expect(byId.get(ids[2] ?? "")).toMatchObject({ deleted: false });
    expect(byId.has(ids[4] ?? "")).toBe(false);
    // Another workspace's feed has none of it; a made-up cursor is refused.
    const other = (await cap(syncB, "contacts", "changes", {})) as { contacts: { id: string }[] };
    expect(other.contacts.some((c) => ids.includes(c.id))).toBe(false);
    expect((await cap(feed, "contacts", "changes", { after: "not-a-cursor" })).refused).toMatch(/after/);

    // Tombstones go after 90 days.
    await db.query(
      "update record_tombstones set deleted_at = now() - interval '91 days' where local_id = $1",
      [ids[1]],
    );
    expect((await pruneLogs(db, createLogger({}))).tombstones).toBeGreaterThanOrEqual(1);
    expect(await db.query("select 1 from record_tombstones where local_id = $1", [ids[1]])).toEqual([]);
  });
});

describe("companies and deals capabilities", () => {
  const CRM = [
    "contacts:read",
    "contacts:write",
    "companies:read",
    "companies:write",
    "deals:read",
    "deals:write",
  ];
  type Page<K extends string> = Record<K, { id: string; deleted: boolean; [k: string]: unknown }[]> & {
    next: string | null;
  };

  it("create, find and update companies and deals, with their changes feeds and tombstones", async () => {
    const s = await signup("Sync Objects");
    const crm = await install(s, "probe/crm", CRM);
    // A company by domain: the same one again updates it (the domain normalised as the API does).
    const acme = await cap(crm, "companies", "upsert", { name: "Acme", domain: "https://www.Acme.test/x" });
    expect(acme).toMatchObject({ name: "Acme", domain: "acme.test", tags: [] });
    const again = await cap(crm, "companies", "upsert", { name: "Acme Inc", domain: "acme.test" });
    expect(again).toMatchObject({ id: acme.id, name: "Acme Inc" });
    expect(await cap(crm, "companies", "findByDomain", "WWW.ACME.TEST")).toMatchObject({ id: acme.id });
    // A contact at it.
    const ann = await cap(crm, "contacts", "upsert", { email: "ann@acme.test", companyId: acme.id });
    expect(ann).toMatchObject({ companyId: acme.id });

    // A deal: the default pipeline's first open stage; then by stage name; then by status.
    const deal = await cap(crm, "deals", "upsert", {
      title: "Acme renewal",
      amount: 1200.5,
      currency: "eur",
      contactId: ann.id,
      companyId: acme.id,
      expectedCloseDate: "2027-03-01",
    });
    expect(deal).toMatchObject({
      title: "Acme renewal",
      amount: 1200.5,
      currency: "EUR",
      stage: "New",
      status: "open",
      contactId: ann.id,
      companyId: acme.id,
      expectedCloseDate: "2027-03-01",
    });
    expect(
      await cap(crm, "deals", "upsert", { id: deal.id, title: "Acme renewal", stage: "proposal" }),
    ).toMatchObject({ stage: "Proposal", status: "open" });
    // A name our pipeline lacks, open: it stays; won: the first won stage (with the history and events).
    expect(
      await cap(crm, "deals", "upsert", {
        id: deal.id,
        title: "Acme renewal",
        stage: "Contract Sent",
        status: "open",
      }),
    ).toMatchObject({ stage: "Proposal" });
    expect(
      await cap(crm, "deals", "upsert", {
        id: deal.id,
        title: "Acme renewal",
        stage: "Closed Won",
        status: "won",
      }),
    ).toMatchObject({ stage: "Won", status: "won" });
    const history = await call(`/v1/deals/${deal.id}/history`, { headers: s.auth });
    expect(history.json.history).toHaveLength(3);
    // Lost without a reason gets one (the API asks a person for it).
    expect(
      await cap(crm, "deals", "upsert", { id: deal.id, title: "Acme renewal", status: "lost" }),
    ).toMatchObject({
      stage: "Lost",
      status: "lost",
    });
    const lost = await call(`/v1/deals/${deal.id}`, { headers: s.auth });
    expect(lost.json.lostReason).toMatch(/plugin/);

    // The feeds: every change once, oldest first; deletions as tombstones.
    const companies = (await cap(crm, "companies", "changes", {})) as Page<"companies">;
    expect(companies.companies.map((c) => c.id)).toEqual([acme.id]);
    const deals = (await cap(crm, "deals", "changes", {})) as Page<"deals">;
    expect(deals.deals).toEqual([expect.objectContaining({ id: deal.id, deleted: false, stage: "Lost" })]);
    expect(((await cap(crm, "deals", "changes", { after: deals.next })) as Page<"deals">).deals).toEqual([]);
    expect((await call(`/v1/deals/${deal.id}`, { method: "DELETE", headers: s.auth })).status).toBeLessThan(
      300,
    );
    const gone = (await cap(crm, "deals", "changes", { after: deals.next })) as Page<"deals">;
    expect(gone.deals).toEqual([expect.objectContaining({ id: deal.id, deleted: true })]);
    expect(await cap(crm, "deals", "get", deal.id)).toBeNull();
    const spare = await cap(crm, "companies", "upsert", { name: "Spare" });
    expect(
      (await call(`/v1/companies/${spare.id}`, { method: "DELETE", headers: s.auth })).status,
    ).toBeLessThan(300);
    const after = (await cap(crm, "companies", "changes", { after: companies.next })) as Page<"companies">;
    expect(after.companies.find((c) => c.id === spare.id)).toMatchObject({ deleted: true });
  });

  it("name the wrong field, and never reach another workspace's records", async () => {
    const [s, t] = [await signup("Sync Objects A"), await signup("Sync Objects B")];
    const mine = await install(s, "probe/crm", CRM);
    const theirs = await install(t, "probe/crm", CRM);
    const readOnly = await install(s, "probe/crm-read", ["companies:read", "deals:read"]);
    const co = await cap(mine, "companies", "upsert", { name: "Mine", domain: "mine.test" });
    const deal = await cap(mine, "deals", "upsert", { title: "Mine", companyId: co.id });

    // Bad input: the field is named, nothing is written.
    expect((await cap(mine, "deals", "upsert", { title: "X", currency: "EURO" })).refused).toMatch(
      /currency/,
    );
    expect((await cap(mine, "deals", "upsert", { title: "", amount: 1 })).refused).toMatch(/title/);
    expect((await cap(mine, "deals", "upsert", { title: "X", amount: -5 })).refused).toMatch(/amount/);
    expect((await cap(mine, "companies", "upsert", { domain: "x.test" })).refused).toMatch(/name/);
    expect((await cap(mine, "companies", "changes", { after: "nope" })).refused).toMatch(/after/);
    // A second company cannot take a domain another has.
    const other = await cap(mine, "companies", "upsert", { name: "Other" });
    expect(
      (await cap(mine, "companies", "upsert", { id: other.id, name: "Other", domain: "mine.test" })).refused,
    ).toMatch(/domain/);
    expect(((await cap(mine, "deals", "changes", {})) as Page<"deals">).deals).toHaveLength(1);

    // Another workspace: its ids are not found, its feeds hold none of ours, ours cannot be pointed at.
    expect(await cap(theirs, "deals", "get", deal.id)).toBeNull();
    expect(await cap(theirs, "companies", "get", co.id)).toBeNull();
    expect(await cap(theirs, "companies", "findByDomain", "mine.test")).toBeNull();
    expect(((await cap(theirs, "deals", "changes", {})) as Page<"deals">).deals).toEqual([]);
    expect(((await cap(theirs, "companies", "changes", {})) as Page<"companies">).companies).toEqual([]);
    expect((await cap(theirs, "deals", "upsert", { id: deal.id, title: "Stolen" })).refused).toMatch(
      /not found/i,
    );
    expect((await cap(theirs, "companies", "upsert", { id: co.id, name: "Stolen" })).refused).toMatch(
      /not found/i,
    );
    expect((await cap(theirs, "deals", "upsert", { title: "Pointing", companyId: co.id })).refused).toMatch(
      /not found/i,
    );
    expect(
      (await cap(theirs, "contacts", "upsert", { email: "x@theirs.test", companyId: co.id })).refused,
    ).toMatch(/not found/i);
    expect(await cap(mine, "deals", "get", deal.id)).toMatchObject({ title: "Mine", companyId: co.id });
    // No grant, no write.
    expect((await cap(readOnly, "deals", "upsert", { title: "Nope" })).refused).toMatch(/deals:write/);
    expect((await cap(readOnly, "companies", "upsert", { name: "Nope" })).refused).toMatch(/companies:write/);
  });
});
