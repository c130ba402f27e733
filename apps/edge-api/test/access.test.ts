import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { createApp } from "../src/app.js";
import { pruneIdempotencyKeys } from "../src/http/idempotency.js";
import { createLogger } from "../src/lib/log.js";
import {
  bearer,
  call,
  createKey,
  mailTokenFor,
  ownerDb,
  sessionFrom,
  signup,
  uniqueEmail,
} from "./helpers.js";

describe("API keys", () => {
  it("shows the secret once, authenticates with it, and a revoked key gets 401", async () => {
    const s = await signup();
    const key = await createKey(s, "agent");
    expect(key.secret).toMatch(/^ak_[a-z0-9]{12}_/);
    const me = await call("/v1/me", { headers: bearer(key.secret) });
    expect(me.json).toMatchObject({ kind: "api_key", id: key.id, role: "agent", tenant: { id: s.tenantId } });

    const listed = await call("/v1/api-keys", { headers: s.auth });
    // The secret part after "ak_<prefix>_" (it may itself contain "_": base64url).
    const secretPart = /^ak_[a-z0-9]{12}_(.+)$/.exec(key.secret)?.[1] ?? "";
    expect(secretPart.length).toBeGreaterThan(20);
    expect(JSON.stringify(listed.json)).not.toContain(secretPart);
    expect(listed.json.apiKeys.find((k: { id: string }) => k.id === key.id).lastUsedAt).not.toBeNull();

    expect((await call(`/v1/api-keys/${key.id}`, { method: "DELETE", headers: s.auth })).status).toBe(200);
    const after = await call("/v1/me", { headers: bearer(key.secret) });
    expect(after.status).toBe(401);
    expect(after.json.error.code).toBe("unauthorized");
  });

  it("a wrong secret with a real (cached) prefix is refused, before and after the key is cached", async () => {
    const s = await signup();
    const key = await createKey(s, "agent");
    const [, prefix] = key.secret.split("_");
    const forged = `ak_${prefix}_${"x".repeat(43)}`;
    expect((await call("/v1/me", { headers: bearer(forged) })).status).toBe(401);
    expect((await call("/v1/me", { headers: bearer(key.secret) })).status).toBe(200);
    expect((await call("/v1/me", { headers: bearer(forged) })).status).toBe(401);
    const me = await call("/v1/me", { headers: bearer(key.secret) });
    // Served from the key's gate: no database round trip for the repeated request.
    expect(me.headers.get("server-timing")).toContain('desc="0 round trips"');
  });

  it("refuses malformed and wrong keys with 401", async () => {
    expect((await call("/v1/me", { headers: bearer("nonsense") })).status).toBe(401);
    expect((await call("/v1/me", { headers: bearer(`ak_${"a".repeat(12)}_${"b".repeat(40)}`) })).status).toBe(
      401,
    );
    expect((await call("/v1/me")).status).toBe(401);
  });

  it("a viewer cannot create keys (403); a read-only key cannot write (403)", async () => {
    const s = await signup();
    const viewer = await createKey(s, "viewer");
    const res = await call("/v1/api-keys", { body: { name: "nope" }, headers: bearer(viewer.secret) });
    expect(res.status).toBe(403);
    expect(res.json.error.code).toBe("forbidden");

    const readOnly = await createKey(s, "admin", ["read"]);
    expect((await call("/v1/api-keys", { headers: bearer(readOnly.secret) })).status).toBe(200);
    expect(
      (await call("/v1/api-keys", { body: { name: "nope" }, headers: bearer(readOnly.secret) })).status,
    ).toBe(403);

    // An admin cannot mint an owner key.
    const admin = await createKey(s, "admin");
    expect(
      (await call("/v1/api-keys", { body: { name: "up", role: "owner" }, headers: bearer(admin.secret) }))
        .status,
    ).toBe(403);
  });
});

describe("Idempotency-Key", () => {
  it("replays the stored response for the same body and refuses another body with 409", async () => {
    const s = await signup();
    const headers = { ...s.auth, "idempotency-key": "create-key-1" };
    const first = await call("/v1/api-keys", { body: { name: "ci" }, headers });
    expect(first.status).toBe(201);
    const replay = await call("/v1/api-keys", { body: { name: "ci" }, headers });
    expect(replay.status).toBe(201);
    expect(replay.headers.get("idempotent-replayed")).toBe("true");
    expect(replay.json).toEqual(first.json);
    const conflict = await call("/v1/api-keys", { body: { name: "other" }, headers });
    expect(conflict.status).toBe(409);
    expect(conflict.json.error.code).toBe("idempotency_conflict");
    const keys = await call("/v1/api-keys", { headers: s.auth });
    expect(keys.json.apiKeys.filter((k: { name: string }) => k.name === "ci")).toHaveLength(1);
  });

  it("keys are per tenant: the same key in another tenant creates its own", async () => {
    const a = await signup();
    const b = await signup();
    const ra = await call("/v1/api-keys", {
      body: { name: "same" },
      headers: { ...a.auth, "idempotency-key": "k" },
    });
    const rb = await call("/v1/api-keys", {
      body: { name: "same" },
      headers: { ...b.auth, "idempotency-key": "k" },
    });
    expect(ra.status).toBe(201);
    expect(rb.status).toBe(201);
    expect(rb.json.id).not.toBe(ra.json.id);
  });

  it("the hourly sweep deletes keys older than a week, in every tenant, and nothing newer", async () => {
    const a = await signup();
    const b = await signup();
    const create = (s: typeof a, key: string) =>
      call("/v1/api-keys", { body: { name: key }, headers: { ...s.auth, "idempotency-key": key } });
    for (const [s, key] of [
      [a, "old-a"],
      [a, "new-a"],
      [b, "old-b"],
    ] as const)
      expect((await create(s, key)).status).toBe(201);
    const db = ownerDb();
    try {
      await db.query(
        "update idempotency_keys set created_at = now() - interval '8 days' where key in ('old-a', 'old-b') and tenant_id = any($1::uuid[])",
        [[a.tenantId, b.tenantId]],
      );
      const deleted = await pruneIdempotencyKeys(db, createLogger({ test: "idempotency" }));
      expect(deleted).toBeGreaterThanOrEqual(2); // other tests' keys are younger than a week
      const left = await db.query<{ key: string }>(
        "select key from idempotency_keys where tenant_id = any($1::uuid[]) order by key",
        [[a.tenantId, b.tenantId]],
      );
      expect(left.map((r) => r.key)).toEqual(["new-a"]);
    } finally {
      await db.end();
    }
    // An expired key is free again: the same key now creates a new API key instead of replaying.
    const again = await create(a, "old-a");
    expect(again.status).toBe(201);
    expect(again.headers.get("idempotent-replayed")).toBeNull();
  });
});

describe("rate limits", () => {
  it("answers 429 with Retry-After past the per-IP login limit", async () => {
    const headers = { "cf-connecting-ip": "203.0.113.77" };
    const statuses: number[] = [];
    let last: Awaited<ReturnType<typeof call>> | undefined;
    for (let i = 0; i < 7; i++) {
      last = await call("/v1/auth/login", {
        body: { email: "x@example.test", password: "whatever" },
        headers,
      });
      statuses.push(last.status);
    }
    expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
    expect(statuses[5]).toBe(429);
    expect(last?.json.error.code).toBe("rate_limited");
    const retryAfter = Number(last?.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);
    // Another IP is not affected.
    expect(
      (await call("/v1/auth/login", { body: { email: "x@example.test", password: "whatever" } })).status,
    ).toBe(401);
  });

  it("where the runtime passes a client's CF-Connecting-IP through (local), a new value per try gets no new budget", async () => {
    // As `npm start` runs: LOCAL_DEVELOPMENT, and no TRUST_CLIENT_IP (that is the tests' own setting).
    const { TRUST_CLIENT_IP: _, ...local } = env;
    const app = createApp();
    const login = async (ip: string, e = local) => {
      const ctx = createExecutionContext();
      const res = await app.fetch(
        new Request("https://api.test/v1/auth/login", {
          method: "POST",
          headers: { "content-type": "application/json", "cf-connecting-ip": ip },
          body: JSON.stringify({ email: "spoof@example.test", password: "whatever" }),
        }),
        e,
        ctx,
      );
      await res.arrayBuffer();
      await waitOnExecutionContext(ctx);
      return res.status;
    };
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) statuses.push(await login(`192.0.2.${i + 1}`));
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429, 429]);
    // Deployed (no LOCAL_DEVELOPMENT), the header is Cloudflare's: each address has its own budget.
    const { LOCAL_DEVELOPMENT: __, MAILER: ___, ...deployed } = local;
    expect(await login("192.0.2.200", { ...deployed, MAILER: undefined } as typeof env)).toBe(401);
  });
});

describe("members and invites", () => {
  it("invites by email with a single-use token; the invitee joins with the invited role", async () => {
    const owner = await signup();
    const email = uniqueEmail("invitee");
    const invite = await call("/v1/members/invites", { body: { email, role: "agent" }, headers: owner.auth });
    expect(invite.status).toBe(201);
    const token = await mailTokenFor(email, "invite");
    const joined = await call("/v1/auth/accept-invite", {
      body: { token, password: "invitee password", name: "Ivy" },
    });
    expect(joined.status).toBe(200);
    const ivy = sessionFrom(joined, email, "invitee password");
    expect(ivy.tenantId).toBe(owner.tenantId);
    const me = await call("/v1/me", { headers: { cookie: ivy.cookie } });
    expect(me.json).toMatchObject({ role: "agent", user: { email, emailVerified: true } });

    const reuse = await call("/v1/auth/accept-invite", { body: { token, password: "invitee password" } });
    expect(reuse.status).toBe(400);
    expect(reuse.json.error.code).toBe("token_used");

    // An agent cannot invite or change roles.
    expect(
      (
        await call("/v1/members/invites", {
          body: { email: uniqueEmail(), role: "viewer" },
          headers: ivy.auth,
        })
      ).status,
    ).toBe(403);
    const list = await call("/v1/members", { headers: owner.auth });
    expect(list.json.members.map((m: { email: string; role: string }) => [m.email, m.role])).toEqual([
      [owner.email, "owner"],
      [email, "agent"],
    ]);
  });

  it("an API key never grants more than its creator has now: demoted, the key demotes; removed, it stops", async () => {
    const owner = await signup();
    const email = uniqueEmail("keymaker");
    await call("/v1/members/invites", { body: { email, role: "admin" }, headers: owner.auth });
    const joined = await call("/v1/auth/accept-invite", {
      body: { token: await mailTokenFor(email, "invite"), password: "keymaker password" },
    });
    const admin = sessionFrom(joined, email, "keymaker password");
    const key = bearer((await createKey(admin, "admin")).secret);
    const rename = () => call("/v1/workspace", { method: "PATCH", body: { name: "Renamed" }, headers: key });
    expect((await rename()).status).toBe(200);

    const demoted = await call(`/v1/members/${admin.userId}`, {
      method: "PATCH",
      body: { role: "viewer" },
      headers: owner.auth,
    });
    expect(demoted.status).toBe(200);
    // At once, not when the key's cache expires.
    expect((await call("/v1/me", { headers: key })).json.role).toBe("viewer");
    expect((await rename()).status).toBe(403);
    expect((await call("/v1/contacts", { body: { name: "Nope" }, headers: key })).status).toBe(403);

    expect(
      (await call(`/v1/members/${admin.userId}`, { method: "DELETE", headers: owner.auth })).status,
    ).toBe(200);
    expect((await call("/v1/me", { headers: key })).status).toBe(401);
  });

  it("an expired invite is refused", async () => {
    const owner = await signup();
    const email = uniqueEmail("late");
    await call("/v1/members/invites", { body: { email, role: "viewer" }, headers: owner.auth });
    const token = await mailTokenFor(email, "invite");
    const db = ownerDb();
    await db.query("update invites set expires_at = now() - interval '1 second' where email = $1", [email]);
    await db.end();
    const res = await call("/v1/auth/accept-invite", { body: { token, password: "whatever pw 1" } });
    expect(res.status).toBe(400);
    expect(res.json.error.code).toBe("token_expired");
  });

  it("never removes or demotes the last owner; role changes and removals work otherwise", async () => {
    const owner = await signup();
    const self = await call(`/v1/members/${owner.userId}`, {
      method: "PATCH",
      body: { role: "admin" },
      headers: owner.auth,
    });
    expect(self.status).toBe(409);
    expect(self.json.error.code).toBe("last_owner");
    expect(
      (await call(`/v1/members/${owner.userId}`, { method: "DELETE", headers: owner.auth })).status,
    ).toBe(409);

    const email = uniqueEmail("second");
    await call("/v1/members/invites", { body: { email, role: "admin" }, headers: owner.auth });
    const joined = await call("/v1/auth/accept-invite", {
      body: { token: await mailTokenFor(email, "invite"), password: "second password" },
    });
    const second = sessionFrom(joined, email, "second password");
    // An admin cannot touch the owner.
    expect(
      (await call(`/v1/members/${owner.userId}`, { method: "DELETE", headers: second.auth })).status,
    ).toBe(403);
    const promote = await call(`/v1/members/${second.userId}`, {
      method: "PATCH",
      body: { role: "owner" },
      headers: owner.auth,
    });
    expect(promote.json).toEqual({ userId: second.userId, role: "owner" });
    // Now there are two owners: the first may step down.
    expect(
      (
        await call(`/v1/members/${owner.userId}`, {
          method: "PATCH",
          body: { role: "viewer" },
          headers: owner.auth,
        })
      ).status,
    ).toBe(200);
    expect(
      (await call(`/v1/members/${owner.userId}`, { method: "DELETE", headers: second.auth })).status,
    ).toBe(200);
    const list = await call("/v1/members", { headers: second.auth });
    expect(list.json.members.map((m: { userId: string }) => m.userId)).toEqual([second.userId]);
  });
});
