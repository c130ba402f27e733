import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createApp } from "../src/app.js";
import { tenantWithWidget } from "./conversation-helpers.js";
import { BASE, bearer, createKey, freshIp } from "./helpers.js";

// With the database unreachable (issue 15, item 12) the API answers 503 with Retry-After, never 500,
// and what can be served from caches still is: a widget key seen before keeps opening chats.

/** The worker's own app with its database URL pointed at a closed port: every query fails to connect. */
async function withDatabase(up: boolean, path: string, init: RequestInit = {}) {
  const down = new URL(env.DATABASE_URL);
  down.port = "9";
  const bindings = up ? env : { ...env, DATABASE_URL: down.href };
  const ctx = createExecutionContext();
  const res = await createApp().fetch(
    new Request(`${BASE}${path}`, {
      ...init,
      headers: { "content-type": "application/json", "cf-connecting-ip": freshIp(), ...init.headers },
    }),
    bindings,
    ctx,
  );
  await waitOnExecutionContext(ctx);
  return { status: res.status, headers: res.headers, json: (await res.json()) as Record<string, unknown> };
}

afterEach(() => {
  vi.useRealTimers();
});

describe("database down", () => {
  it("API-key and session calls answer 503 with Retry-After in the error shape", async () => {
    const t = await tenantWithWidget([]);
    const key = bearer((await createKey(t)).secret);
    for (const headers of [key, { cookie: t.cookie }]) {
      const res = await withDatabase(false, "/v1/contacts", { headers });
      expect(res.status, JSON.stringify(res.json)).toBe(503);
      expect(res.headers.get("retry-after")).toBe("5");
      expect(res.json).toMatchObject({ error: { code: "unavailable" } });
    }
    // Back up, the same calls work.
    expect((await withDatabase(true, "/v1/contacts", { headers: key })).status).toBe(200);
  });

  it("a widget key seen before keeps opening sessions after its cache entry expired; an unknown key gets 503", async () => {
    const t = await tenantWithWidget([]);
    const session = (publicKey: string, up: boolean) =>
      withDatabase(up, "/v1/widget/session", {
        method: "POST",
        body: JSON.stringify({ publicKey }),
        headers: { origin: "https://shop.example" },
      });
    expect((await session(t.publicKey, true)).status).toBe(201);
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(Date.now() + 10 * 60_000);
    const stale = await session(t.publicKey, false);
    expect(stale.status, JSON.stringify(stale.json)).toBe(201);
    expect(stale.json.token).toBeTruthy();
    const other = `${t.publicKey.slice(0, -4)}${t.publicKey.endsWith("aaaa") ? "bbbb" : "aaaa"}`;
    const unknown = await session(other, false);
    expect(unknown.status).toBe(503);
  });
});
