import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { providerFor } from "../src/ai/tenant-provider.js";
import { createApp } from "../src/app.js";
import { BlockedAddressError, fetchWithPolicy, outboundUrlProblem } from "../src/lib/address-policy.js";
import { seal } from "../src/lib/secret-box.js";
import { BASE, freshIp, signup } from "./helpers.js";

// One address policy for every server-side fetch of a tenant-given URL (issue 15, item 5): AI
// endpoints are refused up front outside local development, in every notation, and a redirect from a
// public host to a private one is refused at the hop.

/** The worker as deployed: the same app and bindings, minus the local-development settings. */
async function production(
  path: string,
  init: { method: string; body: unknown; cookie: string; csrf: string },
) {
  const { LOCAL_DEVELOPMENT: _local, MAILER: _mailer, ...deployed } = env;
  const ctx = createExecutionContext();
  const res = await createApp().fetch(
    new Request(`${BASE}${path}`, {
      method: init.method,
      headers: {
        "content-type": "application/json",
        cookie: init.cookie,
        "x-csrf-token": init.csrf,
        "cf-connecting-ip": freshIp(),
      },
      body: JSON.stringify(init.body),
    }),
    deployed,
    ctx,
  );
  await waitOnExecutionContext(ctx);
  return { status: res.status, json: (await res.json()) as { error?: { message: string } } };
}

const PRIVATE = [
  "http://127.0.0.1:8787/v1",
  "http://[::ffff:127.0.0.1]:8787/v1",
  "http://[::1]/v1",
  "http://169.254.169.254/latest",
  "http://10.0.0.5/v1",
  "http://localhost:11434/v1",
  "http://2130706433/v1",
];

describe("the address policy", () => {
  it("classifies every private form, and allows them only in local development", () => {
    for (const url of PRIVATE) {
      expect(outboundUrlProblem(url, false), url).toMatch(/public host/);
      expect(outboundUrlProblem(url, true), url).toBeNull();
    }
    expect(outboundUrlProblem("https://api.openai.com/v1", false)).toBeNull();
    expect(outboundUrlProblem("ftp://example.com/", false)).toMatch(/http/);
  });

  it("AI endpoints: test and save refuse a private base URL with a 400 naming it, before any fetch", async () => {
    const s = await signup("Outbound");
    for (const baseUrl of PRIVATE) {
      const tried = await production("/v1/ai/test", {
        method: "POST",
        body: { baseUrl, model: "m", apiKey: "sk-x" },
        cookie: s.cookie,
        csrf: s.csrf,
      });
      expect(tried.status, baseUrl).toBe(400);
      expect(tried.json.error?.message).toMatch(/^baseUrl: must be a public host/);
      const saved = await production("/v1/ai/settings", {
        method: "PUT",
        body: { provider: "openai", baseUrl, model: "m", apiKey: "sk-x" },
        cookie: s.cookie,
        csrf: s.csrf,
      });
      expect(saved.status, baseUrl).toBe(400);
    }
  });

  it("a redirect from a public host to a private one is refused at the hop; loops end", async () => {
    // The local fixture site stands in for a public host here; 169.254.169.254 stays private.
    const site = new URL(env.KNOWLEDGE_SITE_URL);
    const isPrivate = (host: string) => host !== site.hostname && host === "169.254.169.254";
    await expect(fetchWithPolicy(`${site.origin}/to-metadata`, undefined, isPrivate)).rejects.toThrow(
      BlockedAddressError,
    );
    await expect(fetchWithPolicy(`${site.origin}/loop-a`, undefined, isPrivate)).rejects.toThrow(
      /too many redirects/,
    );
    const page = await fetchWithPolicy(`${site.origin}/`, undefined, isPrivate);
    expect(page.status).toBe(200);
  });

  it("a base URL saved earlier is checked again when used: a private one stays unused outside local development", async () => {
    const tenantId = crypto.randomUUID();
    const masterKey = env.AI_MASTER_KEY ?? "";
    const row = {
      tenantId,
      provider: "openai" as const,
      baseUrl: env.FAKE_OPENAI_URL, // 127.0.0.1: saved while local addresses were allowed
      model: "gpt-test",
      apiKeyCiphertext: await seal(masterKey, "sk-test", tenantId),
    };
    const limits = { timeoutMs: 1000, retries: 0 };
    expect((await providerFor(row, { AI_MASTER_KEY: masterKey }, limits)).name).toBe("offline");
    const local = await providerFor(row, { AI_MASTER_KEY: masterKey, LOCAL_DEVELOPMENT: "1" }, limits);
    expect(local.name).not.toBe("offline");
    const pub = await providerFor(
      { ...row, baseUrl: "https://api.openai.com/v1" },
      { AI_MASTER_KEY: masterKey },
      limits,
    );
    expect(pub.name).not.toBe("offline");
  });
});
