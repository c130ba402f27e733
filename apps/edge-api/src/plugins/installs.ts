import { type Database, pluginInstalls, type Tx, withTenant } from "@autopilot/db";
import { type Manifest, ManifestSchema } from "@autopilot/sdk";
import { eq, sql } from "drizzle-orm";
import semver from "semver";
import { AppError } from "../domain/errors.js";
import { openSecrets, type StoredConfig, secretFields, storeConfig } from "./config.js";
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
  source: "private" | "marketplace";
  autoUpgrade: boolean;
  /** The version an upgrade replaced (rollback goes back to it). */
  previousVersion: string | null;
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
    // Rows stored before secrets_set said which: all of the manifest's, as they were shown then.
    secretsSet: r.secretsCiphertext ? (r.secretsSet ?? secretFields(manifest.config)) : [],
    status: r.status,
    pausedReason: r.pausedReason,
    source: r.source,
    autoUpgrade: r.autoUpgrade,
    previousVersion: r.previous?.version ?? null,
    consecutiveFailures: r.consecutiveFailures,
    createdAt: r.createdAt.toISOString(),
    updatedAt: r.updatedAt.toISOString(),
  };
}

const sameSet = (a: readonly string[], b: readonly string[]) =>
  new Set(a).size === new Set(b).size && a.every((x) => b.includes(x));

export type Grant = { permissions: string[]; hosts: string[] };

/** Why a version pauses its installs when its publisher or staff yank it. */
export const YANKED = "yanked:";

/** What a new version asks for beyond (and no longer asks for compared with) what is granted. */
export function grantDiff(granted: Grant, manifest: Pick<Manifest, "permissions" | "egress">) {
  const added = (want: readonly string[], have: readonly string[]) => want.filter((x) => !have.includes(x));
  const diff = {
    addedPermissions: added(manifest.permissions, granted.permissions),
    removedPermissions: added(granted.permissions, manifest.permissions),
    addedHosts: added(manifest.egress, granted.hosts),
    removedHosts: added(granted.hosts, manifest.egress),
  };
  return { ...diff, needsConsent: diff.addedPermissions.length + diff.addedHosts.length > 0 };
}

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

/** What an install stores of the version it runs: the grant is exactly what the manifest asks. */
function versionColumns(manifest: Manifest, bundleSha256: string, stored: StoredConfig) {
  return {
    version: manifest.version,
    manifest,
    bundleSha256,
    grantedPermissions: [...manifest.permissions],
    grantedHosts: [...manifest.egress],
    config: stored.config,
    secretsCiphertext: stored.secretsCiphertext,
    secretsSet: stored.secretsSet,
  };
}

export async function createInstall(
  db: Database,
  tenantId: string,
  input: {
    manifest: unknown;
    bundleSha256: string;
    grant: Grant;
    config?: Record<string, unknown>;
    source?: "private" | "marketplace";
    autoUpgrade?: boolean;
  },
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
        ...versionColumns(manifest, input.bundleSha256, stored),
        source: input.source ?? "private",
        autoUpgrade: input.autoUpgrade ?? false,
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
    secretsSet: stored.secretsSet,
  });
}

export async function setPaused(
  db: Database,
  tenantId: string,
  installId: string,
  paused: boolean,
): Promise<InstallRecord> {
  const row = await rowOf(db, tenantId, installId);
  if (!paused && row.pausedReason?.startsWith(YANKED))
    throw new AppError(
      "conflict",
      `status: ${row.version} was yanked by its publisher; upgrade or roll back to another version to run it again`,
    );
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
 * Another version of the same plugin: higher (or, for a rollback, the one it replaced), its settings
 * checked against the new schema. A version that asks for any permission or host not granted yet
 * needs a grant naming everything it asks for (never a silent escalation); one that asks for no more
 * may go without. The version it replaces is kept to roll back to. A yank's pause ends with it.
 */
export async function upgradeInstall(
  db: Database,
  tenantId: string,
  installId: string,
  input: {
    manifest: unknown;
    bundleSha256: string;
    grant?: Grant;
    source: "private" | "marketplace";
    rollback?: boolean;
  },
  masterKey: string,
): Promise<InstallRecord> {
  const row = await rowOf(db, tenantId, installId);
  const manifest = parseManifest(input.manifest);
  if (row.source !== input.source)
    throw new AppError(
      "conflict",
      row.source === "marketplace"
        ? "package: this install comes from the marketplace; upgrade it from its listing"
        : "version: this is a private install; upgrade it with its packed file",
    );
  if (manifest.id !== row.pluginId)
    throw new AppError(
      "invalid_request",
      `manifest.id: this install runs ${row.pluginId}, not ${manifest.id}`,
    );
  if (!input.rollback && !semver.gt(manifest.version, row.version))
    throw new AppError(
      "invalid_request",
      `manifest.version: must be higher than the installed ${row.version}`,
    );
  const diff = grantDiff({ permissions: row.grantedPermissions, hosts: row.grantedHosts }, manifest);
  if (input.grant) checkGrant(manifest, input.grant);
  else if (diff.needsConsent)
    throw new AppError(
      "consent_required",
      `grant: ${manifest.version} asks for more than you granted (${[...diff.addedPermissions, ...diff.addedHosts].join(", ")}); review and grant it`,
      diff,
    );
  const context = secretsContext(tenantId, row.pluginId);
  const kept = await openSecrets(row.secretsCiphertext, masterKey, context);
  const stored = await storeConfig(manifest.config, row.config, kept, masterKey, context);
  return updateRow(
    db,
    tenantId,
    installId,
    {
      ...versionColumns(manifest, input.bundleSha256, stored),
      previous: {
        version: row.version,
        manifest: row.manifest,
        bundleSha256: row.bundleSha256,
        grantedPermissions: row.grantedPermissions,
        grantedHosts: row.grantedHosts,
      },
      ...(row.pausedReason?.startsWith(YANKED)
        ? { status: "active" as const, pausedReason: null, consecutiveFailures: 0 }
        : {}),
    },
    (tx) => syncSchedules(tx, tenantId, installId, manifest),
  );
}

/** The version an install ran before its last upgrade (to roll back to), or null. */
export async function previousOf(db: Database, tenantId: string, installId: string) {
  const row = await rowOf(db, tenantId, installId);
  return row.previous ? { ...row.previous, source: row.source } : null;
}

export function setAutoUpgrade(
  db: Database,
  tenantId: string,
  installId: string,
  autoUpgrade: boolean,
): Promise<InstallRecord> {
  return updateRow(db, tenantId, installId, { autoUpgrade });
}

/** Pauses an install whose version was yanked (a resume is refused until it runs another version). */
export function pauseYanked(
  db: Database,
  tenantId: string,
  installId: string,
  reason: string,
): Promise<InstallRecord> {
  return updateRow(db, tenantId, installId, { status: "paused", pausedReason: `${YANKED} ${reason}` });
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
