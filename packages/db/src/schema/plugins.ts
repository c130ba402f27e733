import { sql } from "drizzle-orm";
import {
  boolean,
  foreignKey,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  unique,
  uuid,
} from "drizzle-orm/pg-core";
import { createdAt, id, tenantId, ts } from "./columns.js";
import { contacts } from "./contacts.js";
import { tenantRef } from "./identity.js";

export const PLUGIN_SOURCES = ["private", "marketplace"] as const;
export type PreviousVersion = {
  version: string;
  manifest: unknown;
  bundleSha256: string;
  grantedPermissions: string[];
  grantedHosts: string[];
};

export const PLUGIN_INSTALL_STATUSES = ["active", "paused"] as const;
export type PluginInstallStatus = (typeof PLUGIN_INSTALL_STATUSES)[number];

/**
 * A plugin installed in a workspace: the version it runs (its bundle, content-addressed by sha256),
 * what the workspace granted (never more than the manifest asks), its settings (secret fields
 * encrypted apart), and its health (consecutive failures pause it).
 */
export const pluginInstalls = pgTable(
  "plugin_installs",
  {
    id: id(),
    tenantId: tenantRef(),
    pluginId: text("plugin_id").notNull(),
    version: text("version").notNull(),
    manifest: jsonb("manifest").notNull(),
    bundleSha256: text("bundle_sha256").notNull(),
    grantedPermissions: jsonb("granted_permissions").$type<string[]>().notNull().default([]),
    grantedHosts: jsonb("granted_hosts").$type<string[]>().notNull().default([]),
    config: jsonb("config").$type<Record<string, unknown>>().notNull().default({}),
    secretsCiphertext: text("secrets_ciphertext"),
    /** Which secret settings the ciphertext holds (shown as "set"; the values never are). */
    secretsSet: jsonb("secrets_set").$type<string[] | null>(),
    status: text("status", { enum: PLUGIN_INSTALL_STATUSES }).notNull().default("active"),
    pausedReason: text("paused_reason"),
    consecutiveFailures: integer("consecutive_failures").notNull().default(0),
    /** "private": uploaded by this workspace for itself; "marketplace": a published listing's version. */
    source: text("source", { enum: PLUGIN_SOURCES }).notNull().default("private"),
    /** Take new patch versions of the same minor by itself (never when they ask for more). */
    autoUpgrade: boolean("auto_upgrade").notNull().default(false),
    /** The version it ran before its last upgrade, to roll back to. */
    previous: jsonb("previous").$type<PreviousVersion | null>(),
    createdAt: createdAt(),
    updatedAt: ts("updated_at").notNull().default(sql`now()`),
  },
  (t) => [
    unique("plugin_installs_tenant_plugin_key").on(t.tenantId, t.pluginId),
    unique("plugin_installs_tenant_id_key").on(t.tenantId, t.id),
  ],
);

/** An install's own key/value store (the "storage" capability), within a quota the host enforces. */
export const pluginStorage = pgTable(
  "plugin_storage",
  {
    tenantId: tenantId(),
    installId: uuid("install_id").notNull(),
    key: text("key").notNull(),
    value: jsonb("value").notNull(),
    bytes: integer("bytes").notNull(),
    updatedAt: ts("updated_at").notNull().default(sql`now()`),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.installId, t.key] }),
    foreignKey({
      name: "plugin_storage_install_fk",
      columns: [t.tenantId, t.installId],
      foreignColumns: [pluginInstalls.tenantId, pluginInstalls.id],
    }).onDelete("cascade"),
  ],
);

export const PLUGIN_DELIVERY_STATUSES = ["running", "retrying", "done", "dead"] as const;
export type PluginDeliveryStatus = (typeof PLUGIN_DELIVERY_STATUSES)[number];

/**
 * One event delivered to one subscribed install: the claim that makes a redelivered event run once in
 * effect, and, once its retries are spent, the dead letter an admin can list and replay.
 */
export const pluginDeliveries = pgTable(
  "plugin_deliveries",
  {
    tenantId: tenantId(),
    installId: uuid("install_id").notNull(),
    eventId: uuid("event_id").notNull(),
    eventType: text("event_type").notNull(),
    event: jsonb("event").notNull(),
    status: text("status", { enum: PLUGIN_DELIVERY_STATUSES }).notNull(),
    attempts: integer("attempts").notNull().default(0),
    lastError: text("last_error"),
    createdAt: createdAt(),
    updatedAt: ts("updated_at").notNull().default(sql`now()`),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.installId, t.eventId] }),
    foreignKey({
      name: "plugin_deliveries_install_fk",
      columns: [t.tenantId, t.installId],
      foreignColumns: [pluginInstalls.tenantId, pluginInstalls.id],
    }).onDelete("cascade"),
    index("plugin_deliveries_install_status_idx").on(t.tenantId, t.installId, t.status, t.updatedAt),
  ],
);

/** When each schedule of an install runs next (kept in step with its manifest on install and upgrade). */
export const pluginSchedules = pgTable(
  "plugin_schedules",
  {
    tenantId: tenantId(),
    installId: uuid("install_id").notNull(),
    name: text("name").notNull(),
    everyMinutes: integer("every_minutes").notNull(),
    nextAt: ts("next_at").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.installId, t.name] }),
    foreignKey({
      name: "plugin_schedules_install_fk",
      columns: [t.tenantId, t.installId],
      foreignColumns: [pluginInstalls.tenantId, pluginInstalls.id],
    }).onDelete("cascade"),
    index("plugin_schedules_due_idx").on(t.nextAt),
  ],
);

/** Every call of a plugin (any kind), with its outcome and the log lines it wrote; kept 14 days. */
export const pluginCalls = pgTable(
  "plugin_calls",
  {
    id: id(),
    tenantId: tenantId(),
    installId: uuid("install_id").notNull(),
    kind: text("kind").notNull(),
    name: text("name"),
    ok: integer("ok").notNull(),
    code: text("code"),
    error: text("error"),
    ms: integer("ms").notNull(),
    logs: jsonb("logs").notNull().default([]),
    createdAt: createdAt(),
  },
  (t) => [
    foreignKey({
      name: "plugin_calls_install_fk",
      columns: [t.tenantId, t.installId],
      foreignColumns: [pluginInstalls.tenantId, pluginInstalls.id],
    }).onDelete("cascade"),
    index("plugin_calls_install_time_idx").on(t.tenantId, t.installId, t.createdAt),
  ],
);

/**
 * A channel plugin's thread (a Telegram chat, a WhatsApp number, an email thread) and the
 * conversation it became: the customer's next message on it lands in the same conversation.
 */
export const channelThreads = pgTable(
  "channel_threads",
  {
    tenantId: tenantId(),
    installId: uuid("install_id").notNull(),
    threadId: text("thread_id").notNull(),
    conversationId: uuid("conversation_id").notNull(),
    contactId: uuid("contact_id"),
    /** The plugin's own notes on the thread (an email's address, subject, Message-IDs), for its replies. */
    data: jsonb("data").$type<Record<string, string>>().notNull().default({}),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.installId, t.threadId] }),
    index("channel_threads_conversation_idx").on(t.tenantId, t.conversationId),
    foreignKey({
      name: "channel_threads_install_fk",
      columns: [t.tenantId, t.installId],
      foreignColumns: [pluginInstalls.tenantId, pluginInstalls.id],
    }).onDelete("cascade"),
  ],
);

/** Who a channel's user is in the CRM: the same Telegram user (or number, or address) is one contact. */
export const contactChannels = pgTable(
  "contact_channels",
  {
    tenantId: tenantId(),
    channel: text("channel").notNull(),
    externalId: text("external_id").notNull(),
    contactId: uuid("contact_id").notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.channel, t.externalId] }),
    foreignKey({
      name: "contact_channels_contact_fk",
      columns: [t.tenantId, t.contactId],
      foreignColumns: [contacts.tenantId, contacts.id],
    }).onDelete("cascade"),
  ],
);

/** A reply as its channel's provider knows it (its message ids), so the provider's receipts find it. */
export const channelMessages = pgTable(
  "channel_messages",
  {
    tenantId: tenantId(),
    installId: uuid("install_id").notNull(),
    externalId: text("external_id").notNull(),
    conversationId: uuid("conversation_id").notNull(),
    seq: integer("seq").notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.installId, t.externalId] }),
    foreignKey({
      name: "channel_messages_install_fk",
      columns: [t.tenantId, t.installId],
      foreignColumns: [pluginInstalls.tenantId, pluginInstalls.id],
    }).onDelete("cascade"),
  ],
);

/**
 * Each workspace's inbound email address (`<localPart>@<INBOUND_EMAIL_DOMAIN>`): mail sent to it goes
 * to the workspace's email channel. The local part is random, so addresses cannot be guessed.
 */
export const inboundEmailAddresses = pgTable(
  "inbound_email_addresses",
  {
    tenantId: tenantRef().primaryKey(),
    localPart: text("local_part").notNull(),
    createdAt: createdAt(),
  },
  (t) => [unique("inbound_email_addresses_local_part_key").on(t.localPart)],
);

/**
 * Which local record is which remote one, per install of a sync plugin (HubSpot, Pipedrive): one to
 * one both ways, with the remote version and a content hash of the fields last synced.
 */
export const syncLinks = pgTable(
  "sync_links",
  {
    tenantId: tenantId(),
    installId: uuid("install_id").notNull(),
    objectType: text("object_type").notNull(),
    localId: uuid("local_id").notNull(),
    externalId: text("external_id").notNull(),
    remoteVersion: text("remote_version"),
    contentHash: text("content_hash"),
    syncedAt: ts("synced_at").notNull().default(sql`now()`),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.installId, t.objectType, t.localId] }),
    unique("sync_links_external_key").on(t.tenantId, t.installId, t.objectType, t.externalId),
    foreignKey({
      name: "sync_links_install_fk",
      columns: [t.tenantId, t.installId],
      foreignColumns: [pluginInstalls.tenantId, pluginInstalls.id],
    }).onDelete("cascade"),
  ],
);

/** Records deleted outright, kept a while so a changes feed can pass the deletion on. */
export const recordTombstones = pgTable(
  "record_tombstones",
  {
    tenantId: tenantId(),
    objectType: text("object_type").notNull(),
    localId: uuid("local_id").notNull(),
    deletedAt: ts("deleted_at").notNull().default(sql`now()`),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.objectType, t.localId] }),
    index("record_tombstones_recent_idx").on(t.tenantId, t.objectType, t.deletedAt),
  ],
);
