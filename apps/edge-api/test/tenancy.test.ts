import { env } from "cloudflare:test";
import { withTenant } from "@autopilot/db";
import { sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { bearer, call, createKey, ownerDb, type Session, signup } from "./helpers.js";

// The foundation's tables, where B certainly has rows after beforeAll (so "sees none of B's" means something).
const B_HAS_ROWS = ["tenants", "memberships", "api_keys", "sessions", "outbox", "mail_outbox", "invites"];

/** Every table in the schema that belongs to a tenant: has a tenant_id column (tenants itself: id). */
async function tenantTables(db: ReturnType<typeof ownerDb>): Promise<[string, string][]> {
  const rows = await db.query<{ table_name: string }>(
    `select table_name from information_schema.columns
     where table_schema = 'public' and column_name = 'tenant_id' order by table_name`,
  );
  return [["tenants", "id"], ...rows.map((r): [string, string] => [r.table_name, "tenant_id"])];
}

describe(`tenant isolation (${env.DATABASE_KIND})`, () => {
  let a: Session;
  let b: Session;
  let keyA: string;
  let keyB: { id: string; secret: string };

  beforeAll(async () => {
    a = await signup("Tenant A");
    b = await signup("Tenant B");
    keyA = (await createKey(a)).secret;
    keyB = await createKey(b);
    // Give B a row in every table.
    await call("/v1/members/invites", {
      body: { email: "invitee@b.test", role: "agent" },
      headers: { ...bearer(keyB.secret), "idempotency-key": "b-1" },
    });
  });

  it("inside withTenant the role is app_user, not a superuser, and the tenant is set", async () => {
    const db = ownerDb();
    const [row] = await withTenant(db, a.tenantId, (tx) =>
      tx.execute<{ user: string; tenant: string; superuser: string }>(
        sql`select current_user as user, current_setting('app.tenant_id') as tenant, current_setting('is_superuser') as superuser`,
      ),
    ).then((r) => r.rows);
    const [after] = await db.query<{ tenant: string | null }>(
      "select current_setting('app.tenant_id', true) as tenant",
    );
    await db.end();
    expect(row).toEqual({ user: "app_user", tenant: a.tenantId, superuser: "off" });
    // SET LOCAL: nothing leaks to the connection after the transaction.
    expect(after?.tenant ?? "").toBe("");
  });

  it("a raw unfiltered SELECT of every tenant table returns none of B's rows", async () => {
    const db = ownerDb();
    try {
      const tables = await tenantTables(db);
      expect(tables.length).toBeGreaterThan(10);
      for (const [table, column] of tables) {
        const bRows = await db.query<{ n: number }>(
          `select count(*)::int as n from ${table} where ${column} = $1`,
          [b.tenantId],
        );
        // The owner connection sees B's rows exist (so the check below is meaningful where B has any)…
        const seen = await withTenant(db, a.tenantId, (tx) =>
          tx.execute<{ tenant: string }>(sql.raw(`select ${column}::text as tenant from ${table}`)),
        );
        const tenantsSeen = new Set(seen.rows.map((r) => r.tenant));
        expect([table, tenantsSeen.has(b.tenantId)]).toEqual([table, false]);
        expect([table, [...tenantsSeen].every((t) => t === a.tenantId)]).toEqual([table, true]);
        if (B_HAS_ROWS.includes(table)) {
          expect([table, bRows[0]?.n ?? 0]).not.toEqual([table, 0]);
        }
      }
      // Users: A sees only its members.
      const users = await withTenant(db, a.tenantId, (tx) =>
        tx.execute<{ id: string }>(sql`select id from users`),
      );
      expect(users.rows.map((u) => u.id)).toEqual([a.userId]);
    } finally {
      await db.end();
    }
  });

  it("every table with a tenant_id has row-level security enabled and forced", async () => {
    const db = ownerDb();
    const tables = await tenantTables(db);
    const flags = await db.query<{ relname: string; relrowsecurity: boolean; relforcerowsecurity: boolean }>(
      `select relname, relrowsecurity, relforcerowsecurity from pg_class
       where relnamespace = 'public'::regnamespace and relname = any($1)`,
      [tables.map(([t]) => t)],
    );
    await db.end();
    const unprotected = flags
      .filter((f) => !f.relrowsecurity || !f.relforcerowsecurity)
      .map((f) => f.relname);
    expect(unprotected).toEqual([]);
    expect(flags).toHaveLength(tables.length);
  });

  it("withTenant cannot write a row into another tenant", async () => {
    const db = ownerDb();
    const attempt = withTenant(db, a.tenantId, (tx) =>
      tx.execute(
        sql`insert into mail_outbox (tenant_id, "to", subject, text, kind) values (${b.tenantId}, 'x@y.z', 's', 't', 'notification')`,
      ),
    );
    await expect(attempt).rejects.toThrow();
    await db.end();
  });

  it("tenant A's key cannot list, read, change or revoke tenant B's members or keys", async () => {
    const members = await call("/v1/members", { headers: bearer(keyA) });
    expect(members.status).toBe(200);
    expect(members.json.members.map((m: { userId: string }) => m.userId)).toEqual([a.userId]);
    expect(members.json.invites).toEqual([]);

    const keys = await call("/v1/api-keys", { headers: bearer(keyA) });
    expect(keys.json.apiKeys.map((k: { id: string }) => k.id)).not.toContain(keyB.id);

    const change = await call(`/v1/members/${b.userId}`, {
      method: "PATCH",
      body: { role: "viewer" },
      headers: bearer(keyA),
    });
    expect(change.status).toBe(404);
    const remove = await call(`/v1/members/${b.userId}`, { method: "DELETE", headers: bearer(keyA) });
    expect(remove.status).toBe(404);
    const revoke = await call(`/v1/api-keys/${keyB.id}`, { method: "DELETE", headers: bearer(keyA) });
    expect(revoke.status).toBe(404);

    // B is untouched.
    expect((await call("/v1/me", { headers: bearer(keyB.secret) })).status).toBe(200);
    const bMembers = await call("/v1/members", { headers: bearer(keyB.secret) });
    expect(bMembers.json.members[0]).toMatchObject({ userId: b.userId, role: "owner" });
  });

  it("a session of A cannot act on B either", async () => {
    const res = await call(`/v1/api-keys/${keyB.id}`, { method: "DELETE", headers: a.auth });
    expect(res.status).toBe(404);
  });
});
