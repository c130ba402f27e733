import { type Database, lookups } from "@autopilot/db";
import semver from "semver";
import { AppError } from "../domain/errors.js";
import { createLogger } from "../lib/log.js";
import type { Mailer } from "../mail/mailer.js";
import { forgetSubscribers } from "../plugins/fan-out.js";
import * as installs from "../plugins/installs.js";
import { tellAdmins } from "../plugins/paused.js";
import { findVersion, installableVersions, yankVersion } from "./versions.js";

// Workspaces and the marketplace: install a published version with consent to everything it asks
// for, see what a newer version would add before taking it, upgrade (consent again when it asks for
// more), roll back, take patch releases by themselves; and what a yank does to the installs of it.

type Deps = { db: Database; masterKey: string | undefined };

/** A published version (the newest, or the one named), else why it cannot be installed. */
async function publishedVersion(db: Database, pluginId: string, version?: string) {
  if (!version) {
    const [newest] = await installableVersions(db, pluginId);
    if (!newest) throw new AppError("not_found", `plugin ${pluginId} not found`);
    return newest;
  }
  const found = await findVersion(db, pluginId, version);
  if (!found) throw new AppError("not_found", `version ${pluginId}@${version} not found`);
  if (found.status !== "published")
    throw new AppError(
      "not_installable",
      `version: ${pluginId}@${version} is ${found.status}, not published`,
    );
  return found;
}

export async function installListed(
  deps: Deps,
  tenantId: string,
  input: {
    pluginId: string;
    version?: string;
    grant: installs.Grant;
    config: Record<string, unknown>;
    autoUpgrade: boolean;
  },
) {
  const v = await publishedVersion(deps.db, input.pluginId, input.version);
  const install = await installs.createInstall(
    deps.db,
    tenantId,
    {
      manifest: v.manifest,
      bundleSha256: v.bundleSha256,
      grant: input.grant,
      config: input.config,
      source: "marketplace",
      autoUpgrade: input.autoUpgrade,
    },
    deps.masterKey,
  );
  forgetSubscribers(tenantId);
  return install;
}

/** What taking `version` would change: the permission and host diff, and whether it needs consent. */
export async function upgradePreview(deps: Deps, tenantId: string, installId: string, version?: string) {
  const install = await marketplaceInstall(deps, tenantId, installId);
  const v = await publishedVersion(deps.db, install.pluginId, version);
  return {
    from: install.version,
    to: v.version,
    /** Whether `to` is newer than what runs (an install may run a deprecated or yanked version above it). */
    available: semver.gt(v.version, install.version),
    changelog: v.changelog,
    ...installs.grantDiff(
      { permissions: install.grantedPermissions, hosts: install.grantedHosts },
      v.manifest,
    ),
  };
}

async function marketplaceInstall(deps: Deps, tenantId: string, installId: string) {
  const install = await installs.getInstall(deps.db, tenantId, installId);
  if (install.source !== "marketplace")
    throw new AppError("conflict", "source: a private install is upgraded with its packed file");
  return install;
}

export async function upgradeListed(
  deps: Deps,
  tenantId: string,
  installId: string,
  input: { version?: string; grant?: installs.Grant },
) {
  const install = await marketplaceInstall(deps, tenantId, installId);
  const v = await publishedVersion(deps.db, install.pluginId, input.version);
  const upgraded = await installs.upgradeInstall(
    deps.db,
    tenantId,
    installId,
    { manifest: v.manifest, bundleSha256: v.bundleSha256, grant: input.grant, source: "marketplace" },
    deps.masterKey ?? "",
  );
  forgetSubscribers(tenantId);
  return upgraded;
}

/** Back to the version the last upgrade replaced (not if that version was yanked meanwhile). */
export async function rollback(deps: Deps, tenantId: string, installId: string) {
  const previous = await installs.previousOf(deps.db, tenantId, installId);
  if (!previous) throw new AppError("conflict", "version: there is no earlier version to roll back to");
  const manifest = previous.manifest as { id: string };
  if (previous.source === "marketplace") {
    const v = await findVersion(deps.db, manifest.id, previous.version);
    if (v?.status === "yanked")
      throw new AppError("not_installable", `version: ${previous.version} was yanked; it cannot run again`);
  }
  const rolled = await installs.upgradeInstall(
    deps.db,
    tenantId,
    installId,
    {
      manifest: previous.manifest,
      bundleSha256: previous.bundleSha256,
      // Exactly what was granted to it before: consent already given, never more.
      grant: { permissions: previous.grantedPermissions, hosts: previous.grantedHosts },
      source: previous.source,
      rollback: true,
    },
    deps.masterKey ?? "",
  );
  forgetSubscribers(tenantId);
  return rolled;
}

/**
 * A version just published: installs that take automatic upgrades move to it when it is a higher
 * patch of their minor (1.2.x → 1.2.y) and asks for nothing they have not granted; the others are
 * left for their admins to take with consent.
 */
export async function autoUpgrade(deps: Deps, pluginId: string, version: string): Promise<number> {
  const log = createLogger({ plugin: pluginId });
  let moved = 0;
  for (const i of await lookups.marketplaceInstallsOf(deps.db, pluginId, null)) {
    if (!i.autoUpgrade || !semver.gt(version, i.version)) continue;
    if (
      semver.major(version) !== semver.major(i.version) ||
      semver.minor(version) !== semver.minor(i.version)
    )
      continue;
    try {
      await upgradeListed(deps, i.tenantId, i.installId, { version });
      moved++;
    } catch (error) {
      // consent_required and the like: the admin decides.
      log.info("automatic upgrade left to the admin", { install: i.installId, error: String(error) });
    }
  }
  return moved;
}

/**
 * Yanks a version (its developer's, or any with `developerId` null: staff) and stops it running
 * everywhere: each install of it is paused and its workspace's admins told.
 */
export type YankDeps = Deps & { mailer: Mailer; appUrl: string };

export async function yank(
  deps: YankDeps,
  developerId: string | null,
  pluginId: string,
  version: string,
  reason: string,
) {
  const yanked = await yankVersion(deps.db, developerId, pluginId, version, reason);
  return { ...yanked, pausedInstalls: await pauseYankedInstalls(deps, pluginId, version, reason) };
}

async function pauseYankedInstalls(
  deps: Deps & { mailer: Mailer; appUrl: string },
  pluginId: string,
  version: string,
  reason: string,
): Promise<number> {
  const found = await lookups.marketplaceInstallsOf(deps.db, pluginId, version);
  for (const i of found) {
    const install = await installs.pauseYanked(deps.db, i.tenantId, i.installId, reason);
    forgetSubscribers(i.tenantId);
    await tellAdmins(deps.db, deps.mailer, install, {
      title: `Plugin stopped: ${install.manifest.name} ${version} was withdrawn`,
      body: `${install.manifest.name} ${version} was yanked and is paused in your workspace. Reason: ${reason}`,
      nextStep: `Upgrade or roll back to another version in Settings → Plugins: ${deps.appUrl}/settings/plugins`,
    });
  }
  return found.length;
}
