import { type Database, pluginInstalls, type Tx, withTenant } from "@autopilot/db";
import { type Manifest, ManifestSchema } from "@autopilot/sdk";
import { eq, sql } from "drizzle-orm";
import semver from "semver";
import { AppError } from "../domain/errors.js";
import { openSecrets, secretFields, storeConfig } from "./config.js";
import { syncSchedules } from "./schedules.js";

// A workspace's installs of plugins. An install happens only with an explicit grant of every
// permission and host its manifest asks for: nothing is granted implicitly, and nothing less either.
// Its settings are checked against the manifest's schema; secret ones are sealed apart.

export type InstallRecord = {
  id: string;
  tenantId: string;
  pluginId: string;
  version: string;
  manifest: Manifest;
  bundleSha256: string;
  grantedPermissions: string[];
  grantedHosts: string[];
  /** Plain settings; with the secrets too only where the install is loaded to run. */
  config: Record<string, unknown>;
  secretsSet: string[];
  status: "active" | "paused";
  pausedReason: string | null;
  consecutiveFailures: number;
  createdAt: string;
  updatedAt: string;
};

type Row = typeof pluginInstalls.$inferSelect;

const secretsContext = (tenantId: string, pluginId: string) => `plugin:${tenantId}:${pluginId}`;

function record(r: Row): InstallRecord {
  const manifest = ManifestSchema.parse(r.manifest);
  return {
    id: r.id,
    tenantId: r.tenantId,
    pluginId: r.pluginId,
    version: r.version,
    manifest,
    bundleSha256: r.bundleSha256,
    grantedPermissions: r.grantedPermissions,
    grantedHosts: r.grantedHosts,
    config: r.config,
    secretsSet: r.secretsCiphertext ? secretFields(manifest.config) : [],
    status: r.status,
    pausedReason: r.pausedReason,
    consecutiveFailures: r.consecutiveFailures,
    createdAt: r.createdAt.toISOString(),
    updatedAt: r.updatedAt.toISOString(),
  };
}

const sameSet = (a: readonly string[], b: readonly string[]) =>
  new Set(a).size === new Set(b).size && a.every((x) => b.includes(x));

export type Grant = { permissions: string[]; hosts: string[] };

function parseManifest(raw: unknown): Manifest {
  const parsed = ManifestSchema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw new AppError("invalid_request", `manifest.${issue?.path.join(".")}: ${issue?.message}`);
}

/** The grant must name exactly what the manifest asks for. */
function checkGrant(manifest: Manifest, grant: Grant): void {
  if (!sameSet(manifest.permissions, grant.permissions))
    throw new AppError(
      "invalid_request",
      "grant.permissions: grant exactly the permissions the manifest asks for",
    );
  if (!sameSet(manifest.egress, grant.hosts))
    throw new AppError("invalid_request", "grant.hosts: grant exactly the hosts the manifest asks for");
}

export async function createInstall(
  db: Database,
  tenantId: string,
  input: { manifest: unknown; bundleSha256: string; grant: Grant; config?: Record<string, unknown> },
  masterKey?: string,
): Promise<InstallRecord> {
  const manifest = parseManifest(input.manifest);
  checkGrant(manifest, input.grant);
  const stored = await storeConfig(
    manifest.config,
    input.config ?? {},
    {},
    masterKey ?? "",
    secretsContext(tenantId, manifest.id),
  ).catch((error: unknown) => {
    // Without a master key no secret can be stored: say so on the field, not as a 500.
    if (error instanceof AppError) throw error;
    throw new AppError("unavailable", "config: secret settings cannot be stored (no master key configured)");
  });
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
        config: stored.config,
        secretsCiphertext: stored.secretsCiphertext,
      })
      .onConflictDoNothing()
      .returning();
    if (!row) throw new AppError("conflict", `plugin ${manifest.id} is already installed`);
    await syncSchedules(tx, tenantId, row.id, manifest);
    return record(row);
  });
}

async function rowOf(db: Database, tenantId: string, installId: string): Promise<Row> {
  return withTenant(db, tenantId, async (tx) => {
    const [row] = await tx.select().from(pluginInstalls).where(eq(pluginInstalls.id, installId));
    if (!row) throw new AppError("not_found", "install not found");
    return row;
  });
}

/** Changes an install's row (404 if it is not this workspace's); `then` runs in the same transaction. */
async function updateRow(
  db: Database,
  tenantId: string,
  installId: string,
  values: Partial<typeof pluginInstalls.$inferInsert>,
  then?: (tx: Tx) => Promise<void>,
): Promise<InstallRecord> {
  return withTenant(db, tenantId, async (tx) => {
    const [row] = await tx
      .update(pluginInstalls)
      .set({ ...values, updatedAt: sql`now()` })
      .where(eq(pluginInstalls.id, installId))
      .returning();
    if (!row) throw new AppError("not_found", "install not found");
    await then?.(tx);
    return record(row);
  });
}

/** The install; with `masterKey`, its config holds the secrets too (only to run it, never to show). */
export async function getInstall(
  db: Database,
  tenantId: string,
  installId: string,
  masterKey?: string,
): Promise<InstallRecord> {
  return running(await rowOf(db, tenantId, installId), masterKey);
}

/** The install as it runs: with `masterKey`, its config holds the secrets too (never shown). */
async function running(row: Row, masterKey: string | undefined): Promise<InstallRecord> {
  const install = record(row);
  if (masterKey && row.secretsCiphertext)
    install.config = {
      ...install.config,
      ...(await openSecrets(row.secretsCiphertext, masterKey, secretsContext(row.tenantId, row.pluginId))),
    };
  return install;
}

/** The tenant's install of a plugin, by the plugin's id, with its secrets (to run it); null if none. */
export async function findInstallByPlugin(
  db: Database,
  tenantId: string,
  pluginId: string,
  masterKey: string | undefined,
): Promise<InstallRecord | null> {
  // One transaction: a playbook step waits on this while the visitor waits on the step.
  const row = await withTenant(db, tenantId, async (tx) => {
    const [found] = await tx.select().from(pluginInstalls).where(eq(pluginInstalls.pluginId, pluginId));
    return found ?? null;
  });
  return row ? running(row, masterKey) : null;
}

export async function listInstalls(db: Database, tenantId: string): Promise<InstallRecord[]> {
  return withTenant(db, tenantId, async (tx) =>
    (await tx.select().from(pluginInstalls).orderBy(pluginInstalls.createdAt)).map(record),
  );
}

/** New settings: secret fields left out keep their stored value. */
export async function updateConfig(
  db: Database,
  tenantId: string,
  installId: string,
  config: Record<string, unknown>,
  masterKey: string,
): Promise<InstallRecord> {
  const row = await rowOf(db, tenantId, installId);
  const manifest = ManifestSchema.parse(row.manifest);
  const context = secretsContext(tenantId, row.pluginId);
  const kept = await openSecrets(row.secretsCiphertext, masterKey, context);
  const stored = await storeConfig(manifest.config, config, kept, masterKey, context);
  return updateRow(db, tenantId, installId, {
    config: stored.config,
    secretsCiphertext: stored.secretsCiphertext,
  });
}

export async function setPaused(
  db: Database,
  tenantId: string,
  installId: string,
  paused: boolean,
): Promise<InstallRecord> {
  return updateRow(
    db,
    tenantId,
    installId,
    paused
      ? { status: "paused", pausedReason: "paused by an admin" }
      : { status: "active", pausedReason: null, consecutiveFailures: 0 },
  );
}

/**
 * A newer version of the same plugin: strictly higher, granted again in full (so a version asking
 * for more never gets it silently), its settings checked against the new schema.
 */
export async function upgradeInstall(
  db: Database,
  tenantId: string,
  installId: string,
  input: { manifest: unknown; bundleSha256: string; grant: Grant },
  masterKey: string,
): Promise<InstallRecord> {
  const row = await rowOf(db, tenantId, installId);
  const manifest = parseManifest(input.manifest);
  if (manifest.id !== row.pluginId)
    throw new AppError(
      "invalid_request",
      `manifest.id: this install runs ${row.pluginId}, not ${manifest.id}`,
    );
  if (!semver.gt(manifest.version, row.version))
    throw new AppError(
      "invalid_request",
      `manifest.version: must be higher than the installed ${row.version}`,
    );
  checkGrant(manifest, input.grant);
  const context = secretsContext(tenantId, row.pluginId);
  const kept = await openSecrets(row.secretsCiphertext, masterKey, context);
  const stored = await storeConfig(manifest.config, row.config, kept, masterKey, context);
  return updateRow(
    db,
    tenantId,
    installId,
    {
      version: manifest.version,
      manifest,
      bundleSha256: input.bundleSha256,
      grantedPermissions: [...manifest.permissions],
      grantedHosts: [...manifest.egress],
      config: stored.config,
      secretsCiphertext: stored.secretsCiphertext,
    },
    (tx) => syncSchedules(tx, tenantId, installId, manifest),
  );
}

/** Uninstalls: its storage and deliveries go with it (foreign keys cascade). */
export async function deleteInstall(db: Database, tenantId: string, installId: string): Promise<void> {
  await withTenant(db, tenantId, async (tx) => {
    const gone = await tx
      .delete(pluginInstalls)
      .where(eq(pluginInstalls.id, installId))
      .returning({ id: pluginInstalls.id });
    if (gone.length === 0) throw new AppError("not_found", "install not found");
  });
}
