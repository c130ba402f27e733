import { loadSyncState, runContactSync, type SyncCtx } from "@autopilot/sdk";
import { TestHost } from "@autopilot/sdk/testing";
import { describe, expect, it } from "vitest";
import { createFakeHubSpot } from "../../../scripts/fakes/hubspot.js";
import { hubspot, hubspotProvider } from "./hubspot.js";
import plugin, { syncOptions } from "./index.js";
import { postSignedEvents } from "./signed-webhook.js";

const TOKEN = "pat-na1-test";

/** A workspace with the plugin, talking to a fake HubSpot portal (the same wire as the real one). */
function setUp(config: Record<string, unknown> = {}) {
  const fake = createFakeHubSpot();
  const host = new TestHost(plugin, { accessToken: TOKEN, clientSecret: "client-secret", ...config }).answer(
    (r) => {
      const a = fake.handle({ method: r.method, url: new URL(r.url), headers: r.headers, body: r.body });
      return new Response(a.json !== undefined ? JSON.stringify(a.json) : (a.text ?? null), {
        status: a.status,
        headers: { "content-type": "application/json", ...a.headers },
      });
    },
  );
  const portal = fake.portal(TOKEN);
  const sdk = host.context() as unknown as SyncCtx;
  const provider = hubspotProvider(hubspot({ accessToken: TOKEN }, host.fetch));
  const run = (now = Date.now(), nameRule: "newest" | "hubspot" | "autopilot" = "newest") =>
    runContactSync(sdk, provider, { ...syncOptions({ accessToken: TOKEN, nameRule }), now });
  const upserts = () => host.requests.filter((r) => r.url.endsWith("/batch/upsert")).length;
  return { host, portal, sdk, run, upserts };
}

const local = (host: TestHost) =>
  [...host.contacts.values()].sort((a, b) => (a.email ?? "").localeCompare(b.email ?? ""));
const remote = (portal: ReturnType<ReturnType<typeof createFakeHubSpot>["portal"]>) =>
  [...portal.contacts.values()]
    .filter((c) => !c.archived)
    .map((c) => c.properties)
    .sort((a, b) => (a.email ?? "").localeCompare(b.email ?? ""));

describe("HubSpot sync", () => {
  it("syncs both ways; a second run changes nothing on either side", async () => {
    const { host, portal, sdk, run, upserts } = setUp();
    portal.write(null, { email: "ann@hub.test", firstname: "Ann", lastname: "Hub", phone: "+15550001" });
    portal.write(null, { email: "bob@hub.test", firstname: "Bob", lastname: "" });
    await sdk.contacts.upsert({ email: "cat@local.test", name: "Cat Local", phone: "+15550002" });

    const first = await run();
    expect(first).toMatchObject({ pulled: 2, pushed: 1, failed: 0, caughtUp: true });
    expect(local(host).map((c) => [c.email, c.name, c.phone])).toEqual([
      ["ann@hub.test", "Ann Hub", "+15550001"],
      ["bob@hub.test", "Bob", null],
      ["cat@local.test", "Cat Local", "+15550002"],
    ]);
    expect(remote(portal).find((p) => p.email === "cat@local.test")).toMatchObject({
      firstname: "Cat",
      lastname: "Local",
      phone: "+15550002",
    });

    const calls = upserts();
    const writes = [...host.contacts.values()].map((c) => c.updatedAt).join();
    const hubWrites = remote(portal)
      .map((p) => p.lastmodifieddate)
      .join();
    for (let i = 0; i < 2; i++) expect(await run()).toMatchObject({ pulled: 0, pushed: 0, failed: 0 });
    expect(upserts()).toBe(calls);
    expect([...host.contacts.values()].map((c) => c.updatedAt).join()).toBe(writes);
    expect(
      remote(portal)
        .map((p) => p.lastmodifieddate)
        .join(),
    ).toBe(hubWrites);
  });

  it("settles a conflict per field as configured", async () => {
    for (const [rule, expected] of [
      ["hubspot", "Name In Hub"],
      ["autopilot", "Name Here"],
      ["newest", "Name Here"],
    ] as const) {
      const { host, portal, sdk, run } = setUp();
      const c = portal.write(null, { email: "dee@both.test", firstname: "Dee", lastname: "Start" });
      await run();
      // Both sides change the name; ours last.
      portal.write(c.id, { firstname: "Name", lastname: "In Hub" });
      await new Promise((r) => setTimeout(r, 5));
      await sdk.contacts.upsert({ email: "dee@both.test", name: "Name Here" });
      for (let i = 0; i < 3; i++) await run(Date.now(), rule);
      const mine = local(host)[0];
      const theirs = remote(portal)[0];
      expect([rule, mine?.name]).toEqual([rule, expected]);
      expect([rule, `${theirs?.firstname} ${theirs?.lastname}`]).toEqual([rule, expected]);
    }
  });

  it("waits out a 429 storm and ends with every contact once on each side", async () => {
    const { host, portal, sdk, run } = setUp();
    for (let i = 0; i < 120; i++) portal.write(null, { email: `h${i}@storm.test`, firstname: `H${i}` });
    for (let i = 0; i < 80; i++) await sdk.contacts.upsert({ email: `l${i}@storm.test`, name: `L ${i}` });
    let now = Date.now();
    let paused = 0;
    for (let i = 0; i < 200; i++) {
      if (i % 3 === 0) portal.rateLimitNext = 2;
      const out = await run(now);
      if (out.paused) {
        paused++;
        // Waits at least what HubSpot asked (1 s), and at most half as long again.
        expect(out.paused - now).toBeGreaterThanOrEqual(1000);
        expect(out.paused - now).toBeLessThanOrEqual(1500);
        now = out.paused + 1;
        continue;
      }
      if (out.caughtUp && out.pulled === 0 && out.pushed === 0) break;
      now += 1;
    }
    expect(paused).toBeGreaterThan(5);
    const emails = (xs: (string | null | undefined)[]) => [...new Set(xs)].length;
    expect(host.contacts.size).toBe(200);
    expect(emails([...host.contacts.values()].map((c) => c.email))).toBe(200);
    expect(remote(portal)).toHaveLength(200);
    expect(emails(remote(portal).map((p) => p.email))).toBe(200);
    expect((await loadSyncState(sdk.storage)).errors).toEqual([]);
  });

  it("takes HubSpot's webhooks only when signed within 5 minutes", async () => {
    const { host, portal } = setUp();
    await host.call({ kind: "install", hooks: { events: "https://api.example.com/v1/hooks/i/events" } });
    const c = portal.write(null, { email: "eve@hook.test", firstname: "Eve" });
    const body = JSON.stringify([{ subscriptionType: "contact.creation", objectId: Number(c.id) }]);
    const hook = (timestamp: number, secret = "client-secret") =>
      postSignedEvents(host, body, { timestamp, secret });
    expect(await hook(Date.now(), "wrong-secret")).toBe(401);
    expect(await hook(Date.now() - 6 * 60_000)).toBe(401);
    expect(host.contacts.size).toBe(0);
    expect(await hook(Date.now())).toBe(200);
    expect(local(host).map((x) => x.email)).toEqual(["eve@hook.test"]);
  });
});
