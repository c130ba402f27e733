import { beforeAll, describe, expect, inject, it } from "vitest";
import { bearer, call, createKey, ownerDb, type Session, signup } from "./helpers.js";

// Installing a private plugin over the API (issue 17, item 4): consent is an explicit grant of
// everything the manifest asks; settings are checked against its schema; a secret setting is never
// returned by any endpoint; pause, resume, upgrade (higher versions only, granted again) and
// uninstall; only admins, and never across workspaces.

async function sha256(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

const SECRET_URL = "https://hooks.slack.com/services/T0/B0/very-secret-token";
let s: Session;
let other: Session;
let pkg: { format: 1; manifest: Record<string, unknown>; bundle: string; sha256: string; readme: string };
let grant: { permissions: string[]; hosts: string[] };

beforeAll(async () => {
  [s, other] = [await signup("Installs Co"), await signup("Other Co")];
  const manifest = JSON.parse(inject("leadNotifyManifest"));
  const bundle = inject("leadNotifyBundle");
  pkg = { format: 1, manifest, bundle, sha256: await sha256(bundle), readme: "# Lead notify" };
  grant = { permissions: manifest.permissions, hosts: manifest.egress };
});

const post = (path: string, body: unknown, headers = s.auth) => call(path, { body, headers });

describe("plugin installs over the API", () => {
  it("inspect says what the plugin asks for; a damaged or invalid package is a 400 naming the field", async () => {
    const seen = await post("/v1/plugins/inspect", { package: pkg });
    expect(seen.status).toBe(200);
    expect(seen.json).toMatchObject({
      permissions: [
        { permission: "events:subscribe", text: expect.stringMatching(/events/) },
        { permission: "contacts:read", text: "Read your contacts" },
      ],
      hosts: ["hooks.slack.com"],
      secretFields: ["webhookUrl"],
    });
    const damaged = await post("/v1/plugins/inspect", { package: { ...pkg, bundle: `${pkg.bundle};` } });
    expect([damaged.status, damaged.json.error.message]).toEqual([400, expect.stringMatching(/^sha256:/)]);
    const bad = await post("/v1/plugins/inspect", {
      package: { ...pkg, manifest: { ...pkg.manifest, egress: ["*"] } },
    });
    expect([bad.status, bad.json.error.message]).toEqual([
      400,
      expect.stringMatching(/^manifest\.egress\.0:/),
    ]);
  });

  it("installs only with the full grant and valid settings; the secret never comes back", async () => {
    const partial = await post("/v1/plugins/installs", {
      package: pkg,
      grant: { permissions: ["events:subscribe"], hosts: grant.hosts },
      config: { webhookUrl: SECRET_URL },
    });
    expect([partial.status, partial.json.error.message]).toEqual([
      400,
      expect.stringMatching(/^grant\.permissions:/),
    ]);
    const noUrl = await post("/v1/plugins/installs", { package: pkg, grant, config: {} });
    expect([noUrl.status, noUrl.json.error.message]).toEqual([
      400,
      expect.stringMatching(/^config\.webhookUrl:/),
    ]);
    const badEnum = await post("/v1/plugins/installs", {
      package: pkg,
      grant,
      config: { webhookUrl: SECRET_URL, minimumStatus: "won" },
    });
    expect([badEnum.status, badEnum.json.error.message]).toEqual([
      400,
      expect.stringMatching(/^config\.minimumStatus:/),
    ]);

    const created = await post("/v1/plugins/installs", {
      package: pkg,
      grant,
      config: { webhookUrl: SECRET_URL },
    });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({
      pluginId: "autopilot/lead-notify",
      status: "active",
      secretsSet: ["webhookUrl"],
      config: {},
    });
    const id = created.json.id as string;
    const again = await post("/v1/plugins/installs", {
      package: pkg,
      grant,
      config: { webhookUrl: SECRET_URL },
    });
    expect(again.status).toBe(409);

    // Settings change: the secret left out is kept; no response ever holds it.
    const changed = await call(`/v1/plugins/installs/${id}/config`, {
      method: "PUT",
      body: { config: { minimumStatus: "mql" } },
      headers: s.auth,
    });
    expect(changed.status).toBe(200);
    expect(changed.json).toMatchObject({ config: { minimumStatus: "mql" }, secretsSet: ["webhookUrl"] });
    const responses = [
      created.json,
      changed.json,
      (await call("/v1/plugins/installs", { headers: s.auth })).json,
      (await call(`/v1/plugins/installs/${id}`, { headers: s.auth })).json,
    ].map((j) => JSON.stringify(j));
    for (const body of responses) expect(body).not.toContain("very-secret-token");
    // Nor is it stored in the clear.
    const db = ownerDb();
    try {
      const [row] = await db.query<{ config: unknown; secrets_ciphertext: string }>(
        "select config, secrets_ciphertext from plugin_installs where id = $1",
        [id],
      );
      expect(JSON.stringify(row)).not.toContain("very-secret-token");
      expect(row?.secrets_ciphertext).toBeTruthy();
    } finally {
      await db.end();
    }
  });

  it("pause, resume, upgrade (higher only, granted again), deliveries, uninstall; admins of this workspace only", async () => {
    const list = await call("/v1/plugins/installs", { headers: s.auth });
    const id = list.json.installs[0].id as string;
    // Another workspace sees nothing of it and cannot act on it.
    expect((await call(`/v1/plugins/installs/${id}`, { headers: other.auth })).status).toBe(404);
    expect((await post(`/v1/plugins/installs/${id}/pause`, {}, other.auth)).status).toBe(404);
    expect((await call(`/v1/plugins/installs/${id}`, { method: "DELETE", headers: other.auth })).status).toBe(
      404,
    );
    // An agent's key may not manage plugins.
    const agent = await createKey(s, "agent");
    expect((await call("/v1/plugins/installs", { headers: bearer(agent.secret) })).status).toBe(403);

    expect((await post(`/v1/plugins/installs/${id}/pause`, {})).json).toMatchObject({ status: "paused" });
    expect((await post(`/v1/plugins/installs/${id}/resume`, {})).json).toMatchObject({
      status: "active",
      pausedReason: null,
    });

    const upgrade = (version: string, extra: Record<string, unknown> = {}, g = grant) =>
      call(`/v1/plugins/installs/${id}/version`, {
        method: "PUT",
        body: { package: { ...pkg, manifest: { ...pkg.manifest, version, ...extra } }, grant: g },
        headers: s.auth,
      });
    const same = await upgrade("1.0.0");
    expect([same.status, same.json.error.message]).toEqual([
      400,
      expect.stringMatching(/^manifest\.version: must be higher/),
    ]);
    // A version asking for more is not granted silently.
    const wider = await upgrade("1.1.0", { permissions: [...grant.permissions, "leads:read"] });
    expect([wider.status, wider.json.error.message]).toEqual([
      400,
      expect.stringMatching(/^grant\.permissions:/),
    ]);
    const ok = await upgrade(
      "1.1.0",
      { permissions: [...grant.permissions, "leads:read"] },
      {
        permissions: [...grant.permissions, "leads:read"],
        hosts: grant.hosts,
      },
    );
    expect(ok.status).toBe(200);
    expect(ok.json).toMatchObject({
      version: "1.1.0",
      secretsSet: ["webhookUrl"],
      config: { minimumStatus: "mql" },
    });

    const deliveries = await call(`/v1/plugins/installs/${id}/deliveries?status=dead`, { headers: s.auth });
    expect(deliveries.json).toEqual({ deliveries: [] });
    const replay = await post(`/v1/plugins/installs/${id}/deliveries/${crypto.randomUUID()}/replay`, {});
    expect(replay.status).toBe(404);

    expect((await call(`/v1/plugins/installs/${id}`, { method: "DELETE", headers: s.auth })).status).toBe(
      200,
    );
    expect((await call(`/v1/plugins/installs/${id}`, { headers: s.auth })).status).toBe(404);
  });
});
