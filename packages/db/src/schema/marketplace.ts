import { sql } from "drizzle-orm";
import { boolean, index, integer, jsonb, pgTable, primaryKey, text, uuid } from "drizzle-orm/pg-core";
import { createdAt, id, ts } from "./columns.js";
import { users } from "./identity.js";

// The marketplace (issue 19): platform tables outside every tenant. Requests reach them only as the
// app_platform role (withPlatform), which has no grant on any tenant table, and tenant requests
// (app_user) have none on these: a developer's screens cannot read a workspace's data, and a
// workspace cannot change a listing.

/** A developer profile on a user: who publishes, and whether platform staff verified them. */
export const developerProfiles = pgTable("developer_profiles", {
  userId: uuid("user_id")
    .primaryKey()
    .references(() => users.id, { onDelete: "cascade" }),
  name: text("name").notNull(),
  website: text("website"),
  supportEmail: text("support_email").notNull(),
  verified: boolean("verified").notNull().default(false),
  createdAt: createdAt(),
  updatedAt: ts("updated_at").notNull().default(sql`now()`),
});

/** CLI tokens (`apd_<prefix>_<secret>`): scoped to publishing, revocable; only the hash is kept. */
export const developerTokens = pgTable(
  "developer_tokens",
  {
    id: id(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    prefix: text("prefix").notNull().unique(),
    secretHash: text("secret_hash").notNull(),
    createdAt: createdAt(),
    lastUsedAt: ts("last_used_at"),
    revokedAt: ts("revoked_at"),
  },
  (t) => [index("developer_tokens_user_idx").on(t.userId)],
);

/** A listed plugin: its id's publisher part belongs to the developer who first published it. */
export const marketplacePlugins = pgTable("marketplace_plugins", {
  pluginId: text("plugin_id").primaryKey(),
  publisher: text("publisher").notNull(),
  developerId: uuid("developer_id")
    .notNull()
    .references(() => developerProfiles.userId),
  category: text("category").notNull(),
  createdAt: createdAt(),
});

export const VERSION_STATUSES = [
  "submitted",
  "in_review",
  "approved",
  "rejected",
  "published",
  "deprecated",
  "yanked",
] as const;
export type VersionStatus = (typeof VERSION_STATUSES)[number];

/**
 * One submitted version. Rows are never deleted, so a version number, once submitted (even if
 * rejected), can never be used again for different code.
 */
export const marketplaceVersions = pgTable(
  "marketplace_versions",
  {
    pluginId: text("plugin_id")
      .notNull()
      .references(() => marketplacePlugins.pluginId),
    version: text("version").notNull(),
    manifest: jsonb("manifest").notNull(),
    bundleSha256: text("bundle_sha256").notNull(),
    bytes: integer("bytes").notNull(),
    readme: text("readme").notNull().default(""),
    changelog: text("changelog").notNull().default(""),
    status: text("status", { enum: VERSION_STATUSES }).notNull(),
    /** The automated checks: each with its outcome, in words the developer reads. */
    checks: jsonb("checks").notNull().default([]),
    risk: text("risk").notNull().default("low"),
    reason: text("reason"),
    reviewedBy: uuid("reviewed_by"),
    publishOnApproval: boolean("publish_on_approval").notNull().default(true),
    createdAt: createdAt(),
    reviewedAt: ts("reviewed_at"),
    publishedAt: ts("published_at"),
    updatedAt: ts("updated_at").notNull().default(sql`now()`),
  },
  (t) => [
    primaryKey({ columns: [t.pluginId, t.version] }),
    index("marketplace_versions_status_idx").on(t.status, t.createdAt),
  ],
);
