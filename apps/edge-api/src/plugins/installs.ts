import { type Database, pluginInstalls, withTenant } from "@autopilot/db";
import { type Manifest, ManifestSchema } from "@autopilot/sdk";
import { and, eq, sql } from "drizzle-orm";
import { AppError } from "../domain/errors.js";

// A workspace's installs of plugins. An install happens only with an explicit grant of every
// permission and host its manifest asks for: nothing is granted implicitly, and nothing less either.

export type InstallRecord = {
  id: string;
  tenantId: string;
  pluginId: string;
  version: string;
  manifest: Manifest;
  bundleSha256: string;
  grantedPermissions: string[];
  grantedHosts: string[];
  config: Record<string, unknown>;
  status: "active" | "paused";
  consecutiveFailures: number;
};

type Row = typeof pluginInstalls.$inferSelect;
const record = (r: Row): InstallRecord => ({
  id: r.id,
  tenantId: r.tenantId,
  pluginId: r.pluginId,
  version: r.version,
  manifest: ManifestSchema.parse(r.manifest),
  bundleSha256: r.bundleSha256,
  grantedPermissions: r.grantedPermissions,
  grantedHosts: r.grantedHosts,
  config: r.config,
  status: r.status,
  consecutiveFailures: r.consecutiveFailures,
});

const sameSet = (a: readonly string[], b: readonly string[]) =>
  a.length === new Set(b).size && a.every((x) => b.includes(x)) && b.every((x) => a.includes(x));

export async function createInstall(
  db: Database,
  tenantId: string,
  input: {
    manifest: unknown;
    bundleSha256: string;
    grant: { permissions: string[]; hosts: string[] };
    config?: Record<string, unknown>;
  },
): Promise<InstallRecord> {
  const parsed = ManifestSchema.safeParse(input.manifest);
  if (!parsed.success)
    throw new AppError(
      "invalid_request",
      `manifest: ${parsed.error.issues[0]?.path.join(".")}: ${parsed.error.issues[0]?.message}`,
    );
  const manifest = parsed.data;
  if (!sameSet(manifest.permissions, input.grant.permissions))
    throw new AppError(
      "invalid_request",
      "grant.permissions: grant exactly the permissions the manifest asks for",
    );
  if (!sameSet(manifest.egress, input.grant.hosts))
    throw new AppError("invalid_request", "grant.hosts: grant exactly the hosts the manifest asks for");
  return withTenant(db, tenantId, async (tx) => {
    const [row] = await tx
      .insert(pluginInstalls)
      .values({
        tenantId,
        pluginId: manifest.id,
        version: manifest.version,
        manifest,
        bundleSha256: input.bundleSha256,
        grantedPermissions: [...manifest.permissions],
        grantedHosts: [...manifest.egress],
        config: input.config ?? {},
      })
      .onConflictDoNothing()
      .returning();
    if (!row) throw new AppError("conflict", `plugin ${manifest.id} is already installed`);
    return record(row);
  });
}

export async function getInstall(db: Database, tenantId: string, installId: string): Promise<InstallRecord> {
  return withTenant(db, tenantId, async (tx) => {
    const [row] = await tx.select().from(pluginInstalls).where(eq(pluginInstalls.id, installId));
    if (!row) throw new AppError("not_found", "install not found");
    return record(row);
  });
}

/**
 * Counts a call's outcome: a success resets the failures, a failure adds one; at `pauseAfter` in a
 * row the install is paused with the reason. Returns true when this failure paused it.
 */
export async function recordOutcome(
  db: Database,
  install: InstallRecord,
  failure: string | null,
  pauseAfter: number,
): Promise<boolean> {
  return withTenant(db, install.tenantId, async (tx) => {
    if (!failure) {
      await tx
        .update(pluginInstalls)
        .set({ consecutiveFailures: 0 })
        .where(and(eq(pluginInstalls.id, install.id), sql`${pluginInstalls.consecutiveFailures} <> 0`));
      return false;
    }
    const [row] = await tx
      .update(pluginInstalls)
      .set({ consecutiveFailures: sql`${pluginInstalls.consecutiveFailures} + 1`, updatedAt: new Date() })
      .where(eq(pluginInstalls.id, install.id))
      .returning({ failures: pluginInstalls.consecutiveFailures, status: pluginInstalls.status });
    if (!row || row.status !== "active" || row.failures < pauseAfter) return false;
    await tx
      .update(pluginInstalls)
      .set({
        status: "paused",
        pausedReason: `${row.failures} failures in a row; the last: ${failure}`.slice(0, 500),
      })
      .where(eq(pluginInstalls.id, install.id));
    return true;
  });
}
