import { describe, expect, it } from "vitest";
import { call, mailTokenFor, ownerDb, sessionFrom, signup, uniqueEmail } from "./helpers.js";

describe("signup → verify → login → me", () => {
  it("walks the whole path with a session cookie", async () => {
    const email = uniqueEmail("walk");
    const password = "a long enough password";
    const signed = await call("/v1/auth/signup", {
      body: { email, password, name: "Grace", companyName: "Hopper Ltd", timeZone: "Europe/Berlin" },
    });
    expect(signed.status).toBe(201);
    const cookies = signed.headers.getSetCookie().join("\n");
    expect(cookies).toMatch(/ap_session=[^;]+;.*HttpOnly/);
    expect(cookies).toMatch(/ap_session=[^;]+;.*Secure/);
    expect(cookies).toMatch(/ap_session=[^;]+;.*SameSite=Lax/);

    let me = await call("/v1/me", { headers: { cookie: sessionFrom(signed, email, password).cookie } });
    expect(me.status).toBe(200);
    expect(me.json.user).toMatchObject({ email, emailVerified: false });

    const token = await mailTokenFor(email, "verify_email");
    expect((await call("/v1/auth/verify-email", { body: { token } })).status).toBe(200);
    // Single use.
    const again = await call("/v1/auth/verify-email", { body: { token } });
    expect(again.status).toBe(400);
    expect(again.json.error.code).toBe("token_used");

    const login = await call("/v1/auth/login", { body: { email: email.toUpperCase(), password } });
    expect(login.status).toBe(200);
    const s = sessionFrom(login, email, password);
    me = await call("/v1/me", { headers: { cookie: s.cookie } });
    expect(me.json).toMatchObject({
      kind: "session",
      role: "owner",
      tenant: { id: s.tenantId, name: "Hopper Ltd", timeZone: "Europe/Berlin" },
      user: { email, name: "Grace", emailVerified: true },
    });
  });

  it("refuses a wrong password and an unknown email the same way", async () => {
    const s = await signup();
    const wrong = await call("/v1/auth/login", { body: { email: s.email, password: "not the password" } });
    expect(wrong.status).toBe(401);
    expect(wrong.json.error).toEqual({ code: "invalid_credentials", message: "wrong email or password" });
    const unknown = await call("/v1/auth/login", {
      body: { email: uniqueEmail("nobody"), password: "whatever123" },
    });
    expect(unknown.status).toBe(401);
    expect(unknown.json.error.code).toBe("invalid_credentials");
  });

  it("rejects a second signup with the same email, writing nothing", async () => {
    const s = await signup();
    const dup = await call("/v1/auth/signup", {
      body: { email: s.email, password: "another password", name: "X", companyName: "Dup Co" },
    });
    expect(dup.status).toBe(409);
    const db = ownerDb();
    const tenants = await db.query("select count(*)::int as n from tenants where name = 'Dup Co'");
    await db.end();
    expect(tenants[0]?.n).toBe(0);
  });

  it("logs out: the cookie stops working; logout needs the CSRF header", async () => {
    const s = await signup();
    const noCsrf = await call("/v1/auth/logout", { method: "POST", headers: { cookie: s.cookie } });
    expect(noCsrf.status).toBe(403);
    expect(noCsrf.json.error.code).toBe("csrf_failed");
    const out = await call("/v1/auth/logout", { method: "POST", headers: s.auth });
    expect(out.status).toBe(200);
    expect((await call("/v1/me", { headers: { cookie: s.cookie } })).status).toBe(401);
  });
});

describe("bad input", () => {
  it("malformed JSON → 400 in the error shape", async () => {
    const res = await call("/v1/auth/login", { rawBody: "{not json" });
    expect(res.status).toBe(400);
    expect(res.json.error.code).toBe("malformed_request");
    expect(typeof res.json.error.message).toBe("string");
  });

  it("missing and wrong fields → 400 naming the field", async () => {
    const missing = await call("/v1/auth/signup", {
      body: { email: uniqueEmail(), name: "A", companyName: "B" },
    });
    expect(missing.status).toBe(400);
    expect(missing.json.error.code).toBe("invalid_request");
    expect(missing.json.error.message).toMatch(/^password: /);
    expect(missing.json.error.details.issues.map((i: { field: string }) => i.field)).toEqual(["password"]);

    const badEmail = await call("/v1/auth/signup", {
      body: { email: "not-an-email", password: "long enough pw", name: "A", companyName: "B" },
    });
    expect(badEmail.json.error.message).toMatch(/^email: /);

    const badTz = await call("/v1/auth/signup", {
      body: {
        email: uniqueEmail(),
        password: "long enough pw",
        name: "A",
        companyName: "B",
        timeZone: "Mars/Olympus",
      },
    });
    expect(badTz.status).toBe(400);
    expect(badTz.json.error.message).toMatch(/^timeZone: /);
  });

  it("bad query and path parameters → 400 naming them", async () => {
    const s = await signup();
    const q = await call("/v1/mail?limit=9999", { headers: { cookie: s.cookie } });
    expect(q.status).toBe(400);
    expect(q.json.error.message).toMatch(/^query\.limit: /);
    const p = await call("/v1/api-keys/not-a-uuid", { method: "DELETE", headers: s.auth });
    expect(p.status).toBe(400);
    expect(p.json.error.message).toMatch(/^param\.id: /);
  });

  it("unknown path → 404 in the error shape", async () => {
    const res = await call("/v1/nothing-here");
    expect(res.status).toBe(404);
    expect(res.json).toEqual({ error: { code: "not_found", message: "no route for GET /v1/nothing-here" } });
  });
});

describe("password reset", () => {
  it("resets with a single-use token; the old password and old sessions stop working", async () => {
    const s = await signup();
    expect((await call("/v1/auth/password-reset/request", { body: { email: s.email } })).status).toBe(202);
    const token = await mailTokenFor(s.email, "reset_password");
    const newPassword = "a brand new password";
    expect(
      (await call("/v1/auth/password-reset/confirm", { body: { token, password: newPassword } })).status,
    ).toBe(200);
    const reuse = await call("/v1/auth/password-reset/confirm", {
      body: { token, password: "yet another one!" },
    });
    expect(reuse.status).toBe(400);
    expect(reuse.json.error.code).toBe("token_used");
    expect((await call("/v1/me", { headers: { cookie: s.cookie } })).status).toBe(401);
    expect((await call("/v1/auth/login", { body: { email: s.email, password: s.password } })).status).toBe(
      401,
    );
    expect((await call("/v1/auth/login", { body: { email: s.email, password: newPassword } })).status).toBe(
      200,
    );
  });

  it("a reset ends the user's sessions in every workspace, not only the one it was asked in", async () => {
    const s = await signup("Reset Home");
    const other = await signup("Reset Elsewhere");
    await call("/v1/members/invites", { body: { email: s.email, role: "agent" }, headers: other.auth });
    const joined = await call("/v1/auth/accept-invite", {
      body: { token: await mailTokenFor(s.email, "invite"), password: s.password },
    });
    expect(joined.status, JSON.stringify(joined.json)).toBe(200);
    const elsewhere = sessionFrom(joined, s.email, s.password);
    expect(elsewhere.tenantId).toBe(other.tenantId);
    expect((await call("/v1/me", { headers: { cookie: elsewhere.cookie } })).status).toBe(200);

    await call("/v1/auth/password-reset/request", { body: { email: s.email } });
    const token = await mailTokenFor(s.email, "reset_password");
    const reset = await call("/v1/auth/password-reset/confirm", {
      body: { token, password: "a fresh password 2" },
    });
    expect(reset.status).toBe(200);
    for (const cookie of [s.cookie, elsewhere.cookie])
      expect((await call("/v1/me", { headers: { cookie } })).status).toBe(401);
  });

  it("refuses an expired token and answers 202 for unknown emails", async () => {
    const s = await signup();
    await call("/v1/auth/password-reset/request", { body: { email: s.email } });
    const token = await mailTokenFor(s.email, "reset_password");
    const db = ownerDb();
    await db.query("update user_tokens set expires_at = now() - interval '1 second' where user_id = $1", [
      s.userId,
    ]);
    await db.end();
    const res = await call("/v1/auth/password-reset/confirm", {
      body: { token, password: "a brand new password" },
    });
    expect(res.status).toBe(400);
    expect(res.json.error.code).toBe("token_expired");
    expect(
      (await call("/v1/auth/password-reset/request", { body: { email: uniqueEmail("ghost") } })).status,
    ).toBe(202);
  });
});
