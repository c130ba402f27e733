import { ownerDb } from "./helpers.js";

let repCounter = 0;

/** Adds `n` agents to a tenant straight in the database (the invite flow is tested elsewhere). */
export async function addReps(tenantId: string, n: number, tag = "rep"): Promise<string[]> {
  const db = ownerDb();
  try {
    const ids: string[] = [];
    for (let i = 0; i < n; i++) {
      const email = `${tag}-${Date.now().toString(36)}-${repCounter++}@reps.test`;
      const [user] = await db.query<{ id: string }>(
        "insert into users (email, name, password_hash, password_salt) values ($1, $2, 'x', 'x') returning id",
        [email, `${tag} ${i}`],
      );
      if (!user) throw new Error("user insert failed");
      await db.query("insert into memberships (tenant_id, user_id, role) values ($1, $2, 'agent')", [
        tenantId,
        user.id,
      ]);
      ids.push(user.id);
    }
    return ids;
  } finally {
    await db.end();
  }
}

/** Every row of the tenant in `tables`, as text, for "no PII left" checks. */
export async function tenantRowsAsText(tenantId: string, tables: readonly string[]): Promise<string> {
  const db = ownerDb();
  try {
    const parts: string[] = [];
    for (const table of tables) {
      const rows = await db.query<{ t: string }>(`select t::text as t from ${table} t where tenant_id = $1`, [
        tenantId,
      ]);
      parts.push(...rows.map((r) => `${table}: ${r.t}`));
    }
    return parts.join("\n");
  } finally {
    await db.end();
  }
}

/** `n` new leads (each with its own contact) straight in the database, for volume tests. */
export async function insertLeads(tenantId: string, n: number): Promise<string[]> {
  const db = ownerDb();
  try {
    const rows = await db.query<{ id: string }>(
      `with c as (
         insert into contacts (tenant_id, name) select $1, 'bulk ' || g from generate_series(1, $2) g returning id
       )
       insert into leads (tenant_id, contact_id, source, title) select $1, c.id, 'api', 'bulk' from c returning id`,
      [tenantId, n],
    );
    return rows.map((r) => r.id);
  } finally {
    await db.end();
  }
}
