import { env, SELF } from "cloudflare:test";
import { afterAll, describe, expect, it } from "vitest";
import { putBundle } from "../src/plugins/bundles.js";
import { createInstall, setPaused } from "../src/plugins/installs.js";
import { BASE, hmacSha256Hex, ownerDb, signup } from "./helpers.js";

// Inbound webhooks of plugins (issue 17, item 5): the provider's request reaches the plugin as it
// came (method, query, headers, raw body); the plugin checks the provider's signature and answers.

// A provider-style plugin: GET answers the verification challenge, POST checks an HMAC of the raw body.
const HOOKED = `
import { WorkerEntrypoint } from "cloudflare:workers";
async function hmac(secret, body) {
  const key = await crypto.subtle.importKey("raw", new TextEncoder().encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  const sig = await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(body));
  return [...new Uint8Array(sig)].map((b) => b.toString(16).padStart(2, "0")).join("");
}
export default class extends WorkerEntrypoint {
  async invoke(call, context) {
    if (call.kind !== "webhook") return { ok: false, error: { code: "not_handled", message: call.kind } };
    const r = call.request;
    if (r.method === "GET") {
      const q = new URL(r.url, "https://x").searchParams;
      if (q.get("hub.verify_token") !== context.config.verifyToken) return { ok: true, value: { status: 403, body: "no" } };
      return { ok: true, value: { status: 200, body: q.get("hub.challenge") } };
    }
    const expected = "sha256=" + (await hmac(context.config.appSecret, r.body));
    if (r.headers["x-hub-signature-256"] !== expected) return { ok: true, value: { status: 401, body: "bad signature" } };
    return { ok: true, value: { status: 200, body: JSON.stringify({ got: JSON.parse(r.body), name: call.name }), contentType: "application/json" } };
  }
}`;

const manifest = {
  id: "acme/hooked",
  name: "Hooked",
  version: "1.0.0",
  engine: "^1.0.0",
  kinds: ["events"],
  webhooks: [{ name: "inbound" }],
  config: {
    type: "object",
    properties: {
      appSecret: { type: "string", secret: true },
      verifyToken: { type: "string", secret: true },
    },
  },
};

const sign = async (secret: string, body: string) => `sha256=${await hmacSha256Hex(secret, body)}`;

const db = ownerDb();
afterAll(async () => {
  await db.end();
});

const hook = (path: string, init?: RequestInit) => SELF.fetch(`${BASE}${path}`, init);

describe("plugin webhooks", () => {
  it("pass the provider's request through; the plugin verifies and answers", async () => {
    const s = await signup("Hooks Co");
    const install = await createInstall(
      db,
      s.tenantId,
      {
        manifest,
        bundleSha256: await putBundle(env, HOOKED),
        grant: { permissions: [], hosts: [] },
        config: { appSecret: "s3cret", verifyToken: "tok" },
      },
      env.AI_MASTER_KEY,
    );
    const path = `/v1/hooks/${install.id}/inbound`;
    const verify = await hook(`${path}?hub.mode=subscribe&hub.verify_token=tok&hub.challenge=12345`);
    expect([verify.status, await verify.text()]).toEqual([200, "12345"]);
    const wrongToken = await hook(`${path}?hub.verify_token=nope&hub.challenge=1`);
    expect(wrongToken.status).toBe(403);

    const body = JSON.stringify({ entry: [{ id: "1" }] });
    const signed = await hook(path, {
      method: "POST",
      body,
      headers: { "content-type": "application/json", "x-hub-signature-256": await sign("s3cret", body) },
    });
    expect(signed.status).toBe(200);
    expect(signed.headers.get("content-type")).toBe("application/json");
    expect(await signed.json()).toEqual({ got: { entry: [{ id: "1" }] }, name: "inbound" });
    const forged = await hook(path, {
      method: "POST",
      body,
      headers: { "content-type": "application/json", "x-hub-signature-256": await sign("guess", body) },
    });
    expect(forged.status).toBe(401);

    // Only declared hooks of existing installs exist; a paused plugin asks the provider to come back.
    expect((await hook(`/v1/hooks/${install.id}/other`, { method: "POST", body: "{}" })).status).toBe(404);
    expect(
      (await hook(`/v1/hooks/${crypto.randomUUID()}/inbound`, { method: "POST", body: "{}" })).status,
    ).toBe(404);
    expect((await hook("/v1/hooks/not-a-uuid/inbound", { method: "POST", body: "{}" })).status).toBe(400);
    await setPaused(db, s.tenantId, install.id, true);
    const paused = await hook(path, { method: "POST", body });
    expect([paused.status, paused.headers.get("retry-after")]).toEqual([503, "300"]);
  });
});
