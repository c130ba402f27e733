import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { bearer, call, createKey, signup } from "./helpers.js";

// The settings screen's AI endpoints: GET /v1/ai/settings (never the key) and POST /v1/ai/test against
// the local OpenAI-compatible fake (test/fake-openai.ts), before and after saving.

const test = (headers: Record<string, string>, body: Record<string, unknown>) =>
  call("/v1/ai/test", { body, headers });

describe("AI settings and test connection", () => {
  it("reads offline defaults, tests a connection before saving, never returns the saved key", async () => {
    const s = await signup();
    const initial = await call("/v1/ai/settings", { headers: s.auth });
    expect(initial.status).toBe(200);
    expect(initial.json).toMatchObject({
      provider: "offline",
      model: null,
      embeddingModel: null,
      hasKey: false,
      dailyTokenBudget: 200000,
    });

    const nothingSaved = await test(s.auth, {});
    expect(nothingSaved.json).toMatchObject({ ok: false });
    expect(nothingSaved.json.error).toMatch(/offline/);

    const ok = await test(s.auth, { baseUrl: env.FAKE_OPENAI_URL, model: "fake-ok", apiKey: "sk-test" });
    expect(ok.status).toBe(200);
    expect(ok.json).toMatchObject({ ok: true, model: "fake-ok" });
    expect(typeof ok.json.latencyMs).toBe("number");

    const broken = await test(s.auth, { baseUrl: env.FAKE_OPENAI_URL, model: "fake-500", apiKey: "sk-test" });
    expect(broken.json.ok).toBe(false);
    expect(broken.json.error).toMatch(/500/);

    const unreachable = await test(s.auth, {
      baseUrl: "http://127.0.0.1:9/v1",
      model: "m",
      apiKey: "sk-test",
    });
    expect(unreachable.json).toMatchObject({ ok: false });
    expect(unreachable.json.error).toMatch(/Could not reach|No answer/);

    const saved = await call("/v1/ai/settings", {
      method: "PUT",
      body: {
        provider: "openai",
        baseUrl: env.FAKE_OPENAI_URL,
        model: "fake-ok",
        embeddingModel: "fake-embed",
        apiKey: "sk-secret-123",
        dailyTokenBudget: 5000,
      },
      headers: s.auth,
    });
    expect(saved.status).toBe(200);
    const read = await call("/v1/ai/settings", { headers: s.auth });
    expect(read.json).toMatchObject({
      provider: "openai",
      model: "fake-ok",
      embeddingModel: "fake-embed",
      hasKey: true,
      dailyTokenBudget: 5000,
    });
    expect(JSON.stringify(read.json)).not.toContain("sk-secret-123");

    // No key in the body: the saved settings are tested (the key opened server side).
    const savedTest = await test(s.auth, {});
    expect(savedTest.json).toMatchObject({ ok: true, model: "fake-ok" });
    // A model override with the saved key.
    const override = await test(s.auth, { model: "fake-500" });
    expect(override.json).toMatchObject({ ok: false, model: "fake-500" });
  });

  it("is for admins only, per tenant, and names a bad field", async () => {
    const s = await signup();
    const agent = await createKey(s, "agent");
    expect((await call("/v1/ai/settings", { headers: bearer(agent.secret) })).status).toBe(403);
    expect((await test(bearer(agent.secret), {})).status).toBe(403);

    await call("/v1/ai/settings", {
      method: "PUT",
      body: { provider: "openai", baseUrl: env.FAKE_OPENAI_URL, model: "fake-ok", apiKey: "sk-test" },
      headers: s.auth,
    });
    const other = await signup("Other Co");
    const theirs = await call("/v1/ai/settings", { headers: other.auth });
    expect(theirs.json).toMatchObject({ provider: "offline", hasKey: false });
    expect((await test(other.auth, {})).json.ok).toBe(false);

    const bad = await test(s.auth, { baseUrl: "not a url", model: "m", apiKey: "k" });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.json)).toContain("baseUrl");
  });
});
