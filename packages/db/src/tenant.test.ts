import { neonConfig } from "@neondatabase/serverless";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import ws from "ws";
import { type Database, openDatabase } from "./database.js";
import { createFreshDatabase, dropDatabase, type LocalDatabase, startLocalDatabase } from "./local/index.js";
import { withPlatform, withTenant } from "./tenant.js";

// The tenant boundary the whole product stands on: withTenant runs as app_user with the tenant set
// (row-level security applies even though the connecting user may be a superuser), rolls back on an
// error, and every table holding tenant rows forces row-level security.

const serverUrl = process.env.DATABASE_URL;
const name = `autopilot_db_test_${process.pid}_${Date.now()}`;
let local: LocalDatabase;
let db: Database;

beforeAll(async () => {
  neonConfig.webSocketConstructor = ws; // Node 20 has no global WebSocket
  local = await startLocalDatabase({
    databaseUrl: serverUrl ? await createFreshDatabase(serverUrl, name) : undefined,
  });
  db = openDatabase({ url: local.connectionString, bridge: `127.0.0.1:${local.bridgePort}` });
});

afterAll(async () => {
  await db?.end();
  await local?.close();
  if (serverUrl) await dropDatabase(serverUrl, name);
});

async function newTenant(): Promise<string> {
  const [row] = await db.query<{ id: string }>("insert into tenants (name) values ('T') returning id");
  if (!row) throw new Error("no tenant");
  return row.id;
}

describe("withTenant", () => {
  it("runs as app_user with the tenant set, and sees only that tenant's rows", async () => {
    const [a, b] = [await newTenant(), await newTenant()];
    const who = await withTenant(db, a, async (tx) => {
      const r = await tx.execute<{ role: string; tenant: string }>(
        "select current_user as role, current_setting('app.tenant_id') as tenant",
      );
      return r.rows[0];
    });
    expect(who).toEqual({ role: "app_user", tenant: a });
    await withTenant(db, a, (tx) =>
      tx.execute(`insert into companies (tenant_id, name) values ('${a}', 'A Co')`),
    );
    await withTenant(db, b, (tx) =>
      tx.execute(`insert into companies (tenant_id, name) values ('${b}', 'B Co')`),
    );
    const seen = await withTenant(
      db,
      a,
      async (tx) => (await tx.execute<{ name: string }>("select name from companies")).rows,
    );
    expect(seen).toEqual([{ name: "A Co" }]);
    // Writing another tenant's row is refused by the policy, not just filtered.
    await expect(
      withTenant(db, a, (tx) =>
        tx.execute(`insert into companies (tenant_id, name) values ('${b}', 'Sneaky')`),
      ),
    ).rejects.toThrow();
  });

  it("rolls back everything when the work fails, and the connection is usable after", async () => {
    const t = await newTenant();
    await expect(
      withTenant(db, t, async (tx) => {
        await tx.execute(`insert into companies (tenant_id, name) values ('${t}', 'Half written')`);
        throw new Error("fails after the first write");
      }),
    ).rejects.toThrow("fails after the first write");
    const rows = await db.query("select 1 from companies where tenant_id = $1", [t]);
    expect(rows).toEqual([]);
    // Outside withTenant the pool's connection is the owner again (the role was local to the transaction).
    const [me] = await db.query<{ role: string }>("select current_user as role");
    expect(me?.role).not.toBe("app_user");
  });

  it("refuses a tenant id that is not a UUID before touching the database", async () => {
    await expect(withTenant(db, "x'; drop table tenants; --", async () => 1)).rejects.toThrow(/UUID/);
  });
});

describe("row-level security", () => {
  it("is enabled and forced on every table with a tenant_id column", async () => {
    const tables = await db.query<{ table: string; enabled: boolean; forced: boolean }>(
      `select c.relname as table, c.relrowsecurity as enabled, c.relforcerowsecurity as forced
       from pg_class c join pg_namespace n on n.oid = c.relnamespace
       where n.nspname = 'public' and c.relkind in ('r', 'p')
         and exists (select 1 from pg_attribute a where a.attrelid = c.oid and a.attname = 'tenant_id' and not a.attisdropped)
       order by 1`,
    );
    expect(tables.length).toBeGreaterThan(30);
    expect(tables.filter((t) => !t.enabled || !t.forced).map((t) => t.table)).toEqual([]);
  });
});

describe("withPlatform", () => {
  it("reaches the marketplace tables and no tenant table; tenants cannot reach the marketplace", async () => {
    const t = await newTenant();
    await withTenant(db, t, (tx) =>
      tx.execute(`insert into companies (tenant_id, name) values ('${t}', 'Private Co')`),
    );
    const role = await withPlatform(db, async (tx) => {
      const r = await tx.execute<{ role: string }>("select current_user as role");
      await tx.execute("select count(*) from marketplace_versions");
      return r.rows[0]?.role;
    });
    expect(role).toBe("app_platform");
    // drizzle wraps the driver's error: the reason is in its cause.
    const refusal = (work: Promise<unknown>) =>
      work.then(
        () => "allowed",
        (e: Error) => String((e.cause as Error | undefined)?.message ?? e.message),
      );
    for (const table of ["companies", "contacts", "plugin_installs", "users", "analytics_rollups"])
      expect(await refusal(withPlatform(db, (tx) => tx.execute(`select * from ${table} limit 1`)))).toMatch(
        /permission denied/,
      );
    for (const table of ["marketplace_versions", "developer_tokens", "developer_profiles"])
      expect(await refusal(withTenant(db, t, (tx) => tx.execute(`select * from ${table} limit 1`)))).toMatch(
        /permission denied/,
      );
  });
});
