import { type Database, tenants, withTenant } from "@autopilot/db";
import { eq } from "drizzle-orm";
import type { Principal } from "../http/auth.js";
import { notFound } from "../http/errors.js";
import { audit } from "./audit.js";

// The workspace (tenant) itself: its name. Row-level security limits `tenants` to the caller's own row,
// so another tenant's id is never reachable here.

export type Workspace = { id: string; name: string; timeZone: string; createdAt: string };

const view = (row: typeof tenants.$inferSelect): Workspace => ({
  id: row.id,
  name: row.name,
  timeZone: row.timeZone,
  createdAt: row.createdAt.toISOString(),
});

export async function getWorkspace(db: Database, tenantId: string): Promise<Workspace> {
  const [row] = await withTenant(db, tenantId, (tx) =>
    tx.select().from(tenants).where(eq(tenants.id, tenantId)),
  );
  if (!row) throw notFound("workspace");
  return view(row);
}

export async function renameWorkspace(db: Database, p: Principal, name: string): Promise<Workspace> {
  return withTenant(db, p.tenantId, async (tx) => {
    const [row] = await tx.update(tenants).set({ name }).where(eq(tenants.id, p.tenantId)).returning();
    if (!row) throw notFound("workspace");
    await audit(
      tx,
      p,
      "workspace.renamed",
      { type: "tenant", id: p.tenantId },
      { from: p.tenantName, to: name },
    );
    return view(row);
  });
}
