import { loadSyncState, runContactSync, type SyncCtx } from "@autopilot/sdk";
import { TestHost } from "@autopilot/sdk/testing";
import { describe, expect, it } from "vitest";
import { createFakePipedrive } from "../../../scripts/fakes/pipedrive.js";
import plugin, { syncOptions } from "./index.js";
import { pipedrive, pipedriveProvider } from "./pipedrive.js";

const TOKEN = "pd-token-test";
const PASSWORD = "hook-password-123";

/** A workspace with the plugin, talking to a fake Pipedrive company (the same wire as the real one). */
function setUp(config: Record<string, unknown> = {}) {
  const fake = createFakePipedrive();
  const host = new TestHost(plugin, { apiToken: TOKEN, webhookPassword: PASSWORD, ...config }).answer((r) => {
    const a = fake.handle({ method: r.method, url: new URL(r.url), headers: r.headers, body: r.body });
    return new Response(a.json !== undefined ? JSON.stringify(a.json) : (a.text ?? null), {
      status: a.status,
      headers: { "content-type": "application/json", ...a.headers },
    });
  });
  const company = fake.company(TOKEN);
  const sdk = host.context() as unknown as SyncCtx;
  const provider = pipedriveProvider(pipedrive({ apiToken: TOKEN }, host.fetch));
  const run = (
    now = Date.now(),
    more: { nameRule?: "newest" | "pipedrive" | "autopilot"; deletions?: "keep" | "mirror" } = {},
  ) => runContactSync(sdk, provider, { ...syncOptions({ apiToken: TOKEN, ...more }), now });
  const writes = () => host.requests.filter((r) => r.method === "POST" || r.method === "PATCH").length;
  const person = (name: string, email: string, phone?: string) =>
    company.write(null, {
      name,
      emails: [{ value: email, primary: true, label: "work" }],
      phones: phone ? [{ value: phone, primary: true, label: "work" }] : [],
    });
  return { host, company, sdk, run, writes, person };
}

const local = (host: TestHost) =>
  [...host.contacts.values()].sort((a, b) => (a.email ?? "").localeCompare(b.email ?? ""));
type Company = ReturnType<ReturnType<typeof createFakePipedrive>["company"]>;
const remote = (company: Company) =>
  [...company.persons.values()]
    .filter((p) => !p.is_deleted)
    .map((p) => ({ name: p.name, email: p.emails[0]?.value, phone: p.phones[0]?.value ?? null }))
    .sort((a, b) => (a.email ?? "").localeCompare(b.email ?? ""));

/** Runs until both sides are caught up (bounded), moving the clock past each pause. */
async function drain(run: (now: number) => ReturnType<ReturnType<typeof setUp>["run"]>, max = 100) {
  let now = Date.now();
  let paused = 0;
  for (let i = 0; i < max; i++) {
    const out = await run(now);
    if (out.paused) {
      paused++;
      now = out.paused + 1;
      continue;
    }
    if (out.caughtUp && out.pulled === 0 && out.pushed === 0) return { paused, runs: i + 1 };
    now += 1;
  }
  throw new Error("the sync did not catch up");
}

const hook = (host: TestHost, body: unknown, auth?: string) =>
  host
    .call({
      kind: "webhook",
      name: "events",
      request: {
        method: "POST",
        url: "/v1/hooks/i/events",
        headers: auth ? { authorization: auth } : {},
        body: JSON.stringify(body),
      },
    })
    .then((out) => (out.ok ? (out.value as { status: number }).status : 0));
const basic = (user: string, password: string) => `Basic ${btoa(`${user}:${password}`)}`;
const event = (action: string, id: number, attempt = 1) => ({
  meta: { action, entity: "person", entity_id: String(id), id: crypto.randomUUID(), attempt, version: "2.0" },
  data: { id },
  previous: null,
});

describe("Pipedrive sync", () => {
  it("syncs both ways; a second run changes nothing on either side", async () => {
    const { host, company, sdk, run, writes, person } = setUp();
    person("Ann Drive", "ann@pd.test", "+15550001");
    person("bob@pd.test", "bob@pd.test");
    await sdk.contacts.upsert({ email: "cat@local.test", name: "Cat Local", phone: "+15550002" });
    await sdk.contacts.upsert({ email: "dan@local.test" });

    await drain(run);
    expect(local(host).map((c) => [c.email, c.name, c.phone])).toEqual([
      ["ann@pd.test", "Ann Drive", "+15550001"],
      // Named by its email in Pipedrive (it needs a name): no name here.
      ["bob@pd.test", null, null],
      ["cat@local.test", "Cat Local", "+15550002"],
      ["dan@local.test", null, null],
    ]);
    expect(remote(company)).toEqual([
      { name: "Ann Drive", email: "ann@pd.test", phone: "+15550001" },
      { name: "bob@pd.test", email: "bob@pd.test", phone: null },
      { name: "Cat Local", email: "cat@local.test", phone: "+15550002" },
      { name: "dan@local.test", email: "dan@local.test", phone: null },
    ]);

    const calls = writes();
    const here = local(host)
      .map((c) => c.updatedAt)
      .join();
    const there = [...company.persons.values()].map((p) => p.update_time).join();
    for (let i = 0; i < 2; i++) expect(await run()).toMatchObject({ pulled: 0, pushed: 0, failed: 0 });
    expect(writes()).toBe(calls);
    expect(
      local(host)
        .map((c) => c.updatedAt)
        .join(),
    ).toBe(here);
    expect([...company.persons.values()].map((p) => p.update_time).join()).toBe(there);
  });

  it("keeps a person's other emails and phones when ours becomes the primary one", async () => {
    const { host, company, sdk, run, person } = setUp();
    const p = person("Eve Many", "eve@pd.test", "+15550010");
    p.phones.push({ value: "+15550011", primary: false, label: "home" });
    await drain(run);
    const eve = local(host)[0];
    expect(eve?.phone).toBe("+15550010");
    await new Promise((r) => setTimeout(r, 5));
    await sdk.contacts.upsert({ email: "eve@pd.test", phone: "+15550099" });
    await drain(run);
    expect(company.persons.get(p.id)?.phones).toEqual([
      { value: "+15550099", primary: true, label: "work" },
      { value: "+15550010", primary: false, label: "work" },
      { value: "+15550011", primary: false, label: "home" },
    ]);
  });

  it("takes a change made there in the same second as our last write, when nothing changed here", async () => {
    const { host, company, sdk, run, person } = setUp();
    const p = person("Fay First", "fay@pd.test");
    await drain(run);
    // Pipedrive's times are to the second: the change reads as no later than our own write.
    const { since } = JSON.parse((await loadSyncState(sdk.storage)).kinds.contact?.pullCursor ?? "{}");
    company.write(p.id, { name: "Fay Changed" }).update_time = since;
    expect(Date.parse(local(host)[0]?.updatedAt ?? "")).toBeGreaterThanOrEqual(Date.parse(since));
    await drain(run);
    expect(local(host)[0]?.name).toBe("Fay Changed");
    expect(remote(company)[0]?.name).toBe("Fay Changed");
  });

  it("settles a conflict per field as configured", async () => {
    for (const [rule, expected] of [
      ["pipedrive", "Name In Drive"],
      ["autopilot", "Name Here"],
      ["newest", "Name Here"],
    ] as const) {
      const { host, company, sdk, run, person } = setUp();
      const p = person("Dee Start", "dee@both.test");
      await drain(run);
      // Both sides change the name; ours a second later (Pipedrive's times are to the second).
      company.write(p.id, { name: "Name In Drive" });
      await new Promise((r) => setTimeout(r, 1100));
      await sdk.contacts.upsert({ email: "dee@both.test", name: "Name Here" });
      await drain((now) => run(now, { nameRule: rule }));
      expect([rule, local(host)[0]?.name]).toEqual([rule, expected]);
      expect([rule, remote(company)[0]?.name]).toEqual([rule, expected]);
    }
  });

  it("pages through more than a page changed in the same second, and waits out a 429 storm", async () => {
    const { host, company, sdk, run, person } = setUp();
    company.burstLimit = 40;
    for (let i = 0; i < 120; i++) person(`P ${i}`, `p${i}@storm.test`);
    for (let i = 0; i < 80; i++) await sdk.contacts.upsert({ email: `l${i}@storm.test`, name: `L ${i}` });
    let forced = 0;
    let clock = Date.now();
    company.now = () => clock;
    const { paused } = await drain(async (now) => {
      clock = now;
      if (forced++ % 3 === 0) company.rateLimitNext = 1;
      const out = await run(now);
      // Waits at least what Pipedrive asked (the burst window's reset, 1–2 s), and at most half again.
      if (out.paused) expect(out.paused - now).toBeGreaterThanOrEqual(1000);
      if (out.paused) expect(out.paused - now).toBeLessThanOrEqual(3000);
      return out;
    }, 300);
    expect(paused).toBeGreaterThan(5);
    const distinct = (xs: (string | null | undefined)[]) => new Set(xs).size;
    expect(host.contacts.size).toBe(200);
    expect(distinct([...host.contacts.values()].map((c) => c.email))).toBe(200);
    expect(remote(company)).toHaveLength(200);
    expect(distinct(remote(company).map((p) => p.email))).toBe(200);
    expect((await loadSyncState(sdk.storage)).errors).toEqual([]);
  });

  it("tags a contact deleted in Pipedrive when deletions mirror", async () => {
    const { host, company, sdk, run, person } = setUp({ deletions: "mirror" });
    const gone = person("Gus Gone", "gus@pd.test");
    person("Kim Kept", "kim@pd.test");
    await drain((now) => run(now, { deletions: "mirror" }));
    expect(remote(company)).toHaveLength(2);
    // (Deleted here → deleted in Pipedrive needs the platform's changes feed: test/sync-pipedrive.test.ts.)

    // Deleted in Pipedrive → its webhook tags the contact here and unlinks it.
    company.write(gone.id, { is_deleted: true });
    expect(await hook(host, event("delete", gone.id), basic("pipedrive", PASSWORD))).toBe(200);
    const gus = local(host).find((c) => c.email === "gus@pd.test");
    expect(gus?.tags).toContain("deleted-in-pipedrive");
    expect(await sdk.sync.byExternal("contact", String(gone.id))).toBeNull();
  });

  it("takes Pipedrive's v2 webhooks only with the Basic credentials set on them", async () => {
    const { host, person } = setUp();
    const p = person("Hal Hook", "hal@pd.test");
    expect(await hook(host, event("create", p.id))).toBe(401);
    expect(await hook(host, event("create", p.id), basic("pipedrive", "wrong-password-1"))).toBe(401);
    expect(await hook(host, event("create", p.id), basic("someone", PASSWORD))).toBe(401);
    expect(await hook(host, event("create", p.id), "Bearer x")).toBe(401);
    expect(host.contacts.size).toBe(0);
    // A v1 webhook (no meta.entity) is refused as not understood.
    expect(await hook(host, { current: {}, meta: { object: "person" } }, basic("pipedrive", PASSWORD))).toBe(
      400,
    );
    expect(await hook(host, event("create", p.id), basic("pipedrive", PASSWORD))).toBe(200);
    expect(local(host).map((c) => [c.email, c.name])).toEqual([["hal@pd.test", "Hal Hook"]]);
    // A retry of the same delivery changes nothing.
    const before = local(host)[0]?.updatedAt;
    expect(await hook(host, event("create", p.id, 2), basic("pipedrive", PASSWORD))).toBe(200);
    expect(local(host)[0]?.updatedAt).toBe(before);
    // Without a password set, no webhook is taken.
    const bare = setUp({ webhookPassword: undefined });
    const q = bare.person("Ida Idle", "ida@pd.test");
    expect(await hook(bare.host, event("create", q.id), basic("pipedrive", PASSWORD))).toBe(401);
  });
});
