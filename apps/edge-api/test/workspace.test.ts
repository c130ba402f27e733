import { describe, expect, it } from "vitest";
import { bearer, call, createKey, signup } from "./helpers.js";

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
