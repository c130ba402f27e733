import {
  type Database,
  developerProfiles,
  lookups,
  marketplacePlugins,
  marketplaceVersions,
  withPlatform,
} from "@autopilot/db";
import { type Manifest, ManifestSchema } from "@autopilot/sdk";
import { and, eq, inArray } from "drizzle-orm";
import semver from "semver";
import { AppError } from "../domain/errors.js";
import { permissionsInWords } from "../plugins/packages.js";
import { riskOf } from "./review.js";

// What workspaces see of the marketplace: plugins with a published version (deprecated ones only to
// those who know the id), searchable and by category, with their publisher, verified badge and how
// many workspaces run them. A workspace's private plugins are not here: they live only in its installs.

type VersionRow = typeof marketplaceVersions.$inferSelect;
const SHOWN = ["published", "deprecated", "yanked"] as const;

async function rowsOf(db: Database, pluginIds?: string[]) {
  return withPlatform(db, (tx) =>
    tx
      .select({ plugin: marketplacePlugins, version: marketplaceVersions, developer: developerProfiles })
      .from(marketplacePlugins)
      .innerJoin(marketplaceVersions, eq(marketplaceVersions.pluginId, marketplacePlugins.pluginId))
      .innerJoin(developerProfiles, eq(developerProfiles.userId, marketplacePlugins.developerId))
      .where(
        and(
          inArray(marketplaceVersions.status, [...SHOWN]),
          pluginIds ? inArray(marketplacePlugins.pluginId, pluginIds) : undefined,
        ),
      ),
  );
}

type Row = Awaited<ReturnType<typeof rowsOf>>[number];

function summary(latest: Row, manifest: Manifest, installs: number) {
  return {
    pluginId: latest.plugin.pluginId,
    name: manifest.name,
    description: manifest.description,
    category: latest.plugin.category,
    kinds: manifest.kinds,
    latestVersion: latest.version.version,
    publisher: { name: latest.developer.name, verified: latest.developer.verified },
    installs,
    risk: riskOf(manifest).level,
  };
}

/** Each plugin's newest published version (plugins with none are not listed). */
function latestPublished(rows: Row[]): Map<string, Row> {
  const latest = new Map<string, Row>();
  for (const r of rows) {
    if (r.version.status !== "published") continue;
    const seen = latest.get(r.plugin.pluginId);
    if (!seen || semver.gt(r.version.version, seen.version.version)) latest.set(r.plugin.pluginId, r);
  }
  return latest;
}

export async function browse(db: Database, q: { search?: string; category?: string }) {
  const latest = latestPublished(await rowsOf(db));
  const words = (q.search ?? "").toLowerCase().split(/\s+/).filter(Boolean);
  const found = [...latest.values()]
    .map((r) => ({ r, m: ManifestSchema.parse(r.version.manifest) }))
    .filter(({ r, m }) => {
      if (q.category && r.plugin.category !== q.category) return false;
      const text =
        `${m.id} ${m.name} ${m.description} ${r.developer.name} ${r.plugin.category}`.toLowerCase();
      return words.every((w) => text.includes(w));
    });
  const counts = found.length
    ? await lookups.marketplaceInstallCounts(
        db,
        found.map(({ r }) => r.plugin.pluginId),
      )
    : [];
  const installsOf = (id: string) =>
    counts.filter((c) => c.pluginId === id).reduce((n, c) => n + c.installs, 0);
  return found
    .map(({ r, m }) => summary(r, m, installsOf(r.plugin.pluginId)))
    .sort((a, b) => b.installs - a.installs || a.name.localeCompare(b.name));
}

function versionEntry(v: VersionRow) {
  const manifest = ManifestSchema.parse(v.manifest);
  return {
    version: v.version,
    status: v.status,
    changelog: v.changelog,
    publishedAt: v.publishedAt?.toISOString() ?? null,
    permissions: permissionsInWords(manifest.permissions),
    hosts: manifest.egress,
  };
}

/** A plugin's page: its newest published version's README, what it asks for, every shown version. */
export async function listing(db: Database, pluginId: string) {
  const rows = await rowsOf(db, [pluginId]);
  const latest = latestPublished(rows).get(pluginId);
  if (!latest) throw new AppError("not_found", `plugin ${pluginId} not found`);
  const manifest = ManifestSchema.parse(latest.version.manifest);
  const counts = await lookups.marketplaceInstallCounts(db, [pluginId]);
  const risk = riskOf(manifest);
  return {
    ...summary(
      latest,
      manifest,
      counts.reduce((n, c) => n + c.installs, 0),
    ),
    readme: latest.version.readme,
    permissions: permissionsInWords(manifest.permissions),
    hosts: manifest.egress,
    riskWords: risk.words,
    configSchema: manifest.config,
    publisher: {
      name: latest.developer.name,
      verified: latest.developer.verified,
      website: latest.developer.website,
      supportEmail: latest.developer.supportEmail,
    },
    versions: rows
      .map((r) => r.version)
      .sort((a, b) => semver.rcompare(a.version, b.version))
      .map(versionEntry),
  };
}
