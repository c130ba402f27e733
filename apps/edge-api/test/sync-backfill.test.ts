import { env } from "cloudflare:test";
import { afterAll, describe, expect, inject, it } from "vitest";
import { installBuilt } from "./channel-helpers.js";
import { call, ownerDb, signup } from "./helpers.js";

// A CRM sync's first backfill runs in the background: the schedule's run answers "again" while work
// is left, and the platform queues the next slice at once (src/plugins/deliveries.ts), through the
// real queue, until both sides are caught up. The HubSpot plugin against the local HubSpot fake.

const db = ownerDb();
afterAll(async () => {
  await db.end();
});

const fake = inject("fakeHubSpotUrl");
type Remote = { id: string; properties: Record<string, string | null>; archived: boolean };

async function hubspotWorkspace(name: string) {
  const s = await signup(name);
  const token = `pat-na1-${crypto.randomUUID()}`;
  const installId = await installBuilt(
    db,
    s,
    { manifest: inject("hubspotManifest"), bundle: inject("hubspotBundle") },
    { accessToken: token, apiBaseUrl: fake },
  );
  const hub = (path: string, init: { method?: string; body?: unknown } = {}) =>
    fetch(`${fake}${path}`, {
      method: init.method ?? (init.body ? "POST" : "GET"),
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      ...(init.body ? { body: JSON.stringify(init.body) } : {}),
    });
  return { ...s, installId, token, hub };
}
type W = Awaited<ReturnType<typeof hubspotWorkspace>>;

const remoteContacts = async (w: W) =>
  ((await (await w.hub("/_control/contacts")).json()) as Remote[]).filter((c) => !c.archived);
const localContacts = async (w: W) =>
  (await call("/v1/contacts?limit=200", { headers: w.auth })).json.contacts as { email: string }[];

describe("a sync's background backfill", () => {
  it("backfills in the background: a scheduled run goes on by itself until both sides are done", async () => {
    const w = await hubspotWorkspace("Hub Backfill");
    // Two pages of HubSpot's contacts and a few of ours: one run takes at most a page each way.
    for (let i = 0; i < 40; i++)
      await w.hub("/_control/contacts", { body: { email: `b${i}@backfill.test`, firstname: `B${i}` } });
    for (let i = 0; i < 5; i++)
      await call("/v1/contacts", { body: { email: `o${i}@ours.test`, name: `O ${i}` }, headers: w.auth });
    // The schedule's run, queued as the minute cron queues it: it and the slices after it run in the
    // queue's consumer, as in production.
    await env.PLUGIN_DELIVERIES.send({
      kind: "schedule",
      tenantId: w.tenantId,
      installId: w.installId,
      name: "sync",
    });
    const status = async () =>
      (
        await call(`/v1/plugins/installs/${w.installId}/reports/sync_status`, {
          body: { parameters: {} },
          headers: w.auth,
        })
      ).json.rows as { what: string; value: unknown }[];
    // Polled twice a second: each look at the status is a plugin call of its own.
    let done = await status();
    for (let i = 0; i < 120 && !done.some((r) => r.what === "Up to date" && r.value === "yes"); i++) {
      await new Promise((r) => setTimeout(r, 500));
      done = await status();
    }
    expect(done.find((r) => r.what === "Contacts from HubSpot (all runs)")?.value).toBe(40);
    const here = (await localContacts(w)).filter((c) => c.email.endsWith("@backfill.test"));
    expect(here).toHaveLength(40);
    const there = (await remoteContacts(w)).filter((c) => c.properties.email?.endsWith("@ours.test"));
    expect(there).toHaveLength(5);
  }, 120_000);
});
