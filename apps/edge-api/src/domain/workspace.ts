import { type Database, tenants, withTenant } from "@autopilot/db";
import { eq } from "drizzle-orm";
import { audit } from "./audit.js";
import { notFound } from "./errors.js";
import type { Principal } from "./principal.js";

// The workspace (tenant) itself: its name, time zone and locale. Row-level security limits `tenants` to the caller's own row,
// so another tenant's id is never reachable here.

export type Workspace = { id: string; name: string; timeZone: string; locale: string; createdAt: string };
export type WorkspacePatch = { name?: string; timeZone?: string; locale?: string };

const view = (row: typeof tenants.$inferSelect): Workspace => ({
  id: row.id,
  name: row.name,
  timeZone: row.timeZone,
  locale: row.locale,
  createdAt: row.createdAt.toISOString(),
});

export async function getWorkspace(db: Database, tenantId: string): Promise<Workspace> {
  const [row] = await withTenant(db, tenantId, (tx) =>
    tx.select().from(tenants).where(eq(tenants.id, tenantId)),
  );
  if (!row) throw notFound("workspace");
  return view(row);
}

export async function updateWorkspace(db: Database, p: Principal, patch: WorkspacePatch): Promise<Workspace> {
  return withTenant(db, p.tenantId, async (tx) => {
    const [before] = await tx.select().from(tenants).where(eq(tenants.id, p.tenantId));
    if (!before) throw notFound("workspace");
    const [row] = await tx.update(tenants).set(patch).where(eq(tenants.id, p.tenantId)).returning();
    if (!row) throw notFound("workspace");
    if (patch.name !== undefined && patch.name !== before.name)
      await audit(
        tx,
        p,
        "workspace.renamed",
        { type: "tenant", id: p.tenantId },
        { from: before.name, to: row.name },
      );
    const changed = (["timeZone", "locale"] as const).filter(
      (k) => patch[k] !== undefined && patch[k] !== before[k],
    );
    if (changed.length > 0)
      await audit(
        tx,
        p,
        "workspace.updated",
        { type: "tenant", id: p.tenantId },
        Object.fromEntries(changed.map((k) => [k, { from: before[k], to: row[k] }])),
      );
    return view(row);
  });
}
