import { describe, expect, it } from "vitest";
import { bearer, call, createKey, sessionFrom, signup, uniqueEmail } from "./helpers.js";

// The workspace (GET/PATCH /v1/workspace): renamed by admins only, within the caller's tenant.

const rename = (headers: Record<string, string>, body: unknown) =>
  call("/v1/workspace", { method: "PATCH", body, headers });

describe("workspace", () => {
  it("an admin renames it; /v1/me and GET show the new name", async () => {
    const s = await signup("Old Name");
    const before = await call("/v1/workspace", { headers: s.auth });
    expect(before.json).toMatchObject({ id: s.tenantId, name: "Old Name", timeZone: "UTC" });

    const res = await rename(s.auth, { name: "  New Name Ltd  " });
    expect(res.status, JSON.stringify(res.json)).toBe(200);
    expect(res.json).toMatchObject({ id: s.tenantId, name: "New Name Ltd" });
    expect((await call("/v1/me", { headers: s.auth })).json.tenant.name).toBe("New Name Ltd");
    expect((await call("/v1/workspace", { headers: s.auth })).json.name).toBe("New Name Ltd");
  });

  it("refuses a bad name with a 400 naming the field", async () => {
    const s = await signup();
    for (const body of [{ name: "   " }, { name: "x".repeat(121) }, {}, { name: 42 }]) {
      const res = await rename(s.auth, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.json.error.message).toMatch(/^name: /);
    }
    expect((await call("/v1/workspace", { headers: s.auth })).json.name).toBe("Acme");
  });

  it("only admins rename, and only their own workspace", async () => {
    const a = await signup("Tenant A");
    const b = await signup("Tenant B");
    for (const role of ["viewer", "agent"]) {
      const key = await createKey(a, role);
      expect((await rename(bearer(key.secret), { name: "Hijacked" })).status, role).toBe(403);
      expect((await call("/v1/workspace", { headers: bearer(key.secret) })).json.name).toBe("Tenant A");
    }
    // B renames: only B changes (there is no way to name another workspace).
    expect((await rename(b.auth, { name: "Tenant B2" })).status).toBe(200);
    expect((await call("/v1/workspace", { headers: a.auth })).json).toMatchObject({
      id: a.tenantId,
      name: "Tenant A",
    });
    expect((await call("/v1/workspace", { headers: b.auth })).json).toMatchObject({
      id: b.tenantId,
      name: "Tenant B2",
    });
    // Without the CSRF header, a cookie-authenticated rename is refused.
    expect((await rename({ cookie: a.cookie }, { name: "No CSRF" })).status).toBe(403);
  });
});

describe("workspace time zone and locale", () => {
  it("an admin sets them; bad values are a 400 naming the field and change nothing", async () => {
    const s = await signup("Zones");
    const res = await rename(s.auth, { timeZone: "Europe/Berlin", locale: "de-at" });
    expect(res.status, JSON.stringify(res.json)).toBe(200);
    // Stored in canonical form.
    expect(res.json).toMatchObject({ name: "Zones", timeZone: "Europe/Berlin", locale: "de-AT" });
    for (const [body, field] of [
      [{ timeZone: "Mars/Olympus" }, "timeZone"],
      [{ timeZone: 5 }, "timeZone"],
      [{ locale: "not a language!" }, "locale"],
      [{ locale: "x" }, "locale"],
      [{}, "name"],
    ] as const) {
      const bad = await rename(s.auth, body);
      expect(bad.status, JSON.stringify(body)).toBe(400);
      expect(bad.json.error.message).toMatch(new RegExp(`^${field}: `));
    }
    expect((await call("/v1/workspace", { headers: s.auth })).json).toMatchObject({
      timeZone: "Europe/Berlin",
      locale: "de-AT",
    });
    // Every screen learns them from /v1/me (one look-up, no extra query).
    expect((await call("/v1/me", { headers: s.auth })).json.tenant).toMatchObject({
      timeZone: "Europe/Berlin",
      locale: "de-AT",
    });
  });

  it("sign-up takes the browser's locale; the chat widget's session carries the name and locale", async () => {
    const email = uniqueEmail("locale");
    const password = "correct horse battery";
    const res = await call("/v1/auth/signup", {
      body: {
        email,
        password,
        name: "Zoé",
        companyName: "Vélo Paris",
        timeZone: "Europe/Paris",
        locale: "fr-FR",
      },
    });
    expect(res.status, JSON.stringify(res.json)).toBe(201);
    const { auth } = sessionFrom(res, email, password);
    expect((await call("/v1/workspace", { headers: auth })).json.locale).toBe("fr-FR");
    const key = await call("/v1/widget-keys", {
      body: { settings: { greeting: "Bonjour !" } },
      headers: auth,
    });
    expect(key.status, JSON.stringify(key.json)).toBe(201);
    const session = await call("/v1/widget/session", { body: { publicKey: key.json.publicKey } });
    expect(session.json.settings).toEqual({
      greeting: "Bonjour !",
      businessName: "Vélo Paris",
      locale: "fr-FR",
    });
    const bad = await call("/v1/auth/signup", {
      body: {
        email: `x-${email}`,
        password: "correct horse battery",
        name: "X",
        companyName: "X",
        locale: "??",
      },
    });
    expect(bad.status).toBe(400);
    expect(bad.json.error.message).toMatch(/^locale: /);
  });
});
