import {
  type Database,
  developerProfiles,
  lookups,
  marketplacePlugins,
  marketplaceVersions,
  type VersionStatus,
  withPlatform,
} from "@autopilot/db";
import { type Manifest, ManifestSchema, type PLUGIN_CATEGORIES, type ReviewCheck } from "@autopilot/sdk";
import { and, desc, eq, inArray, sql } from "drizzle-orm";
import semver from "semver";
import { AppError } from "../domain/errors.js";
import type { Env } from "../env.js";
import { putBundle } from "../plugins/bundles.js";
import { permissionsInWords } from "../plugins/packages.js";
import { requireProfile } from "./developers.js";
import { type CheckResult, reviewVersion } from "./review.js";

// A version's way through the marketplace: submitted → (automated checks) → in_review → approved |
// rejected → published; later deprecated or yanked. Versions are never deleted, so a number, once
// submitted, is never reused. Who may move it: the developer submits, publishes, deprecates and
// yanks; platform staff approve, reject and yank.

type VersionRow = typeof marketplaceVersions.$inferSelect;

export const versionView = (v: VersionRow) => {
  const manifest = ManifestSchema.parse(v.manifest);
  return {
    pluginId: v.pluginId,
    version: v.version,
    name: manifest.name,
    description: manifest.description,
    kinds: manifest.kinds,
    status: v.status,
    checks: v.checks as CheckResult[],
    risk: v.risk,
    permissions: permissionsInWords(manifest.permissions),
    hosts: manifest.egress,
    changelog: v.changelog,
    reason: v.reason,
    bytes: v.bytes,
    createdAt: v.createdAt.toISOString(),
    reviewedAt: v.reviewedAt?.toISOString() ?? null,
    publishedAt: v.publishedAt?.toISOString() ?? null,
  };
};
export type VersionView = ReturnType<typeof versionView>;

export type Submission = {
  manifest: Manifest;
  code: string;
  bytes: number;
  readme: string;
  changelog: string;
  checks: ReviewCheck[];
  category?: (typeof PLUGIN_CATEGORIES)[number];
  publishOnApproval: boolean;
};

/** Takes a version in, runs the automated checks, and leaves it in review (or rejected by them). */
export async function submitVersion(
  env: Pick<Env, "LOADER" | "PLUGIN_BUNDLES">,
  db: Database,
  developerId: string,
  s: Submission,
): Promise<VersionView> {
  await requireProfile(db, developerId);
  const { manifest } = s;
  const publisher = manifest.id.split("/")[0] as string;
  const sha = await putBundle(env, s.code);
  await withPlatform(db, async (tx) => {
    const [owner] = await tx
      .select({ developerId: marketplacePlugins.developerId })
      .from(marketplacePlugins)
      .where(eq(marketplacePlugins.publisher, publisher))
      .limit(1);
    if (owner && owner.developerId !== developerId)
      throw new AppError(
        "forbidden",
        `manifest.id: the publisher "${publisher}" belongs to another developer`,
      );
    await tx
      .insert(marketplacePlugins)
      .values({ pluginId: manifest.id, publisher, developerId, category: s.category ?? "other" })
      .onConflictDoUpdate({
        target: marketplacePlugins.pluginId,
        set: { category: s.category ?? sql`marketplace_plugins.category` },
      });
    const [taken] = await tx
      .insert(marketplaceVersions)
      .values({
        pluginId: manifest.id,
        version: manifest.version,
        manifest,
        bundleSha256: sha,
        bytes: s.bytes,
        readme: s.readme.slice(0, 100_000),
        changelog: s.changelog.slice(0, 5_000),
        status: "submitted",
        publishOnApproval: s.publishOnApproval,
      })
      .onConflictDoNothing()
      .returning({ version: marketplaceVersions.version });
    if (!taken)
      throw new AppError(
        "version_taken",
        `manifest.version: ${manifest.id}@${manifest.version} was already submitted; a version number is never reused`,
      );
  });
  let review: Awaited<ReturnType<typeof reviewVersion>>;
  try {
    review = await reviewVersion(env, { manifest, code: s.code, bytes: s.bytes, checks: s.checks });
  } catch (error) {
    // The checks could not run (the platform's fault, not the version's): the submission is taken
    // back, so its number is not spent on a review that never happened.
    await withPlatform(db, (tx) =>
      tx
        .delete(marketplaceVersions)
        .where(
          and(
            eq(marketplaceVersions.pluginId, manifest.id),
            eq(marketplaceVersions.version, manifest.version),
            eq(marketplaceVersions.status, "submitted"),
          ),
        ),
    );
    throw new AppError("unavailable", `the automated checks could not run; submit again (${String(error)})`);
  }
  const passed = review.checks.every((c) => c.ok);
  const failed = review.checks.filter((c) => !c.ok).map((c) => `${c.title}: ${c.detail}`);
  return update(db, manifest.id, manifest.version, ["submitted"], {
    status: passed ? "in_review" : "rejected",
    checks: review.checks,
    risk: review.risk,
    reason: passed ? null : `The automated checks failed. ${failed.join(" ")}`,
  });
}

/** Moves a version from one of `from` (else 409 saying where it is); returns it. */
async function update(
  db: Database,
  pluginId: string,
  version: string,
  from: VersionStatus[],
  values: Partial<typeof marketplaceVersions.$inferInsert>,
): Promise<VersionView> {
  return versionView(await updateRow(db, pluginId, version, from, values));
}

async function updateRow(
  db: Database,
  pluginId: string,
  version: string,
  from: VersionStatus[],
  values: Partial<typeof marketplaceVersions.$inferInsert>,
): Promise<VersionRow> {
  return withPlatform(db, async (tx) => {
    const [row] = await tx
      .update(marketplaceVersions)
      .set({ ...values, updatedAt: sql`now()` })
      .where(
        and(
          eq(marketplaceVersions.pluginId, pluginId),
          eq(marketplaceVersions.version, version),
          inArray(marketplaceVersions.status, from),
        ),
      )
      .returning();
    if (row) return row;
    const [current] = await tx
      .select({ status: marketplaceVersions.status })
      .from(marketplaceVersions)
      .where(and(eq(marketplaceVersions.pluginId, pluginId), eq(marketplaceVersions.version, version)));
    if (!current) throw new AppError("not_found", `version ${pluginId}@${version} not found`);
    throw new AppError(
      "invalid_transition",
      `status: ${pluginId}@${version} is ${current.status}, not ${from.join(" or ")}`,
    );
  });
}

/** The developer's own version (404 for anyone else's: they learn nothing of it). */
async function ownVersion(db: Database, developerId: string, pluginId: string, version: string) {
  const [row] = await withPlatform(db, (tx) =>
    tx
      .select({ status: marketplaceVersions.status })
      .from(marketplaceVersions)
      .innerJoin(marketplacePlugins, eq(marketplacePlugins.pluginId, marketplaceVersions.pluginId))
      .where(
        and(
          eq(marketplaceVersions.pluginId, pluginId),
          eq(marketplaceVersions.version, version),
          eq(marketplacePlugins.developerId, developerId),
        ),
      ),
  );
  if (!row) throw new AppError("not_found", `version ${pluginId}@${version} not found`);
  return row;
}

export async function approveVersion(db: Database, operatorId: string, pluginId: string, version: string) {
  const approved = await updateRow(db, pluginId, version, ["in_review"], {
    status: "approved",
    reviewedBy: operatorId,
    reviewedAt: sql`now()` as unknown as Date,
    reason: null,
  });
  return approved.publishOnApproval ? publish(db, pluginId, version) : versionView(approved);
}

export function rejectVersion(
  db: Database,
  operatorId: string,
  pluginId: string,
  version: string,
  reason: string,
) {
  return update(db, pluginId, version, ["in_review"], {
    status: "rejected",
    reviewedBy: operatorId,
    reviewedAt: sql`now()` as unknown as Date,
    reason,
  });
}

const publish = (db: Database, pluginId: string, version: string) =>
  update(db, pluginId, version, ["approved"], {
    status: "published",
    publishedAt: sql`now()` as unknown as Date,
  });

export async function publishVersion(db: Database, developerId: string, pluginId: string, version: string) {
  await ownVersion(db, developerId, pluginId, version);
  return publish(db, pluginId, version);
}

export async function deprecateVersion(db: Database, developerId: string, pluginId: string, version: string) {
  await ownVersion(db, developerId, pluginId, version);
  return update(db, pluginId, version, ["published"], { status: "deprecated" });
}

/** Yanks a version (its developer, or staff with `developerId` null): see installs.ts for its installs. */
export async function yankVersion(
  db: Database,
  developerId: string | null,
  pluginId: string,
  version: string,
  reason: string,
) {
  if (developerId) await ownVersion(db, developerId, pluginId, version);
  return update(db, pluginId, version, ["published", "deprecated", "approved"], { status: "yanked", reason });
}

/** A version as installs need it: status, manifest and bundle. */
export async function findVersion(db: Database, pluginId: string, version: string) {
  const [row] = await withPlatform(db, (tx) =>
    tx
      .select()
      .from(marketplaceVersions)
      .where(and(eq(marketplaceVersions.pluginId, pluginId), eq(marketplaceVersions.version, version))),
  );
  return row ? { ...row, manifest: ManifestSchema.parse(row.manifest) } : null;
}

/** Versions anyone may install, newest first. */
export async function installableVersions(db: Database, pluginId: string) {
  const rows = await withPlatform(db, (tx) =>
    tx
      .select()
      .from(marketplaceVersions)
      .where(and(eq(marketplaceVersions.pluginId, pluginId), eq(marketplaceVersions.status, "published"))),
  );
  return rows
    .map((r) => ({ ...r, manifest: ManifestSchema.parse(r.manifest) }))
    .sort((a, b) => semver.rcompare(a.version, b.version));
}

/** The developer portal: my plugins, their versions with review reports, installs and failures. */
export async function developerPlugins(db: Database, developerId: string) {
  const rows = await withPlatform(db, (tx) =>
    tx
      .select({ plugin: marketplacePlugins, version: marketplaceVersions })
      .from(marketplacePlugins)
      .innerJoin(marketplaceVersions, eq(marketplaceVersions.pluginId, marketplacePlugins.pluginId))
      .where(eq(marketplacePlugins.developerId, developerId))
      .orderBy(marketplacePlugins.pluginId, desc(marketplaceVersions.createdAt)),
  );
  const ids = [...new Set(rows.map((r) => r.plugin.pluginId))];
  const [counts, errors] = ids.length
    ? await Promise.all([
        lookups.marketplaceInstallCounts(db, ids),
        lookups.marketplacePluginErrors(db, ids, new Date(Date.now() - 7 * 86_400_000)),
      ])
    : [[], []];
  return ids.map((id) => {
    const versions = rows.filter((r) => r.plugin.pluginId === id);
    const plugin = versions[0]?.plugin as typeof marketplacePlugins.$inferSelect;
    return {
      pluginId: id,
      category: plugin.category,
      installs: counts.filter((c) => c.pluginId === id).reduce((n, c) => n + c.installs, 0),
      versions: versions.map((r) => ({
        ...versionView(r.version),
        installs: counts.find((c) => c.pluginId === id && c.version === r.version.version)?.installs ?? 0,
      })),
      errors: errors.filter((e) => e.pluginId === id),
    };
  });
}

/** Staff's queue: versions waiting for a human, oldest first, with who submitted them. */
export async function reviewQueue(db: Database) {
  const rows = await withPlatform(db, (tx) =>
    tx
      .select({ version: marketplaceVersions, developer: developerProfiles })
      .from(marketplaceVersions)
      .innerJoin(marketplacePlugins, eq(marketplacePlugins.pluginId, marketplaceVersions.pluginId))
      .innerJoin(developerProfiles, eq(developerProfiles.userId, marketplacePlugins.developerId))
      .where(eq(marketplaceVersions.status, "in_review"))
      .orderBy(marketplaceVersions.createdAt),
  );
  return rows.map((r) => ({
    ...versionView(r.version),
    readme: r.version.readme,
    developer: { userId: r.developer.userId, name: r.developer.name, verified: r.developer.verified },
  }));
}
