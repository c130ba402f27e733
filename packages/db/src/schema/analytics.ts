import {
  bigint,
  date,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  smallint,
  text,
  timestamp,
  uuid,
} from "drizzle-orm/pg-core";
import { createdAt, tenantId, ts } from "./columns.js";
import { tenantRef, tenants } from "./identity.js";

// Analytics storage (issue 7). Row-level security and the look-ups are in the hand-written migration
// next to the generated one.
//
// Events: one plain table, primary key `id` alone, so `ON CONFLICT (id) DO NOTHING` dedupes exactly
// whatever time a redelivered copy carries. Not partitioned on purpose: retention is per tenant, so
// dropping a time partition would not enforce it anyway, and a partitioned table's unique key would
// have to include the partition key (dedupe by (time, id) is only exact if every copy carries the same
// time). No report reads raw events any more (rollups and the funnel tables answer them), so besides
// the primary key only a BRIN index on occurred_at, for retention's deletes (events arrive roughly in
// time order): a B-tree per row taxed ingest for nothing. No foreign key to tenants either (a per-row
// trigger and tenant-row lock on the hottest insert); nothing deletes tenants today — whatever does
// must delete the tenant's analytics_events, analytics_rollups* and analytics_funnel* rows explicitly.
//
// The dimension columns are extracted from the event at ingest (see apps/edge-api/src/analytics/
// dimensions.ts) so reports and rollups never parse JSON: channel, route_id (route; pipeline for
// deal events in `detail`), owner_id (agent or rep), detail (reason, status, mode…), step (abandoned
// step, form field, stage), currency and one numeric value (seconds, amount, score).
export const analyticsEvents = pgTable(
  "analytics_events",
  {
    id: uuid("id").primaryKey(),
    tenantId: tenantId(),
    type: text("type").notNull(),
    version: smallint("version").notNull(),
    occurredAt: timestamp("occurred_at", { withTimezone: true }).notNull(),
    receivedAt: createdAt(),
    actorType: text("actor_type").notNull(),
    actorId: text("actor_id"),
    conversationId: text("conversation_id"),
    leadId: text("lead_id"),
    dealId: text("deal_id"),
    channel: text("channel"),
    routeId: text("route_id"),
    ownerId: text("owner_id"),
    detail: text("detail"),
    step: text("step"),
    currency: text("currency"),
    value: doublePrecision("value"),
    subjects: jsonb("subjects").notNull(),
    properties: jsonb("properties").notNull(),
    // The inserting transaction (pg_current_xact_id(), as bigint for the BRIN index; the default is set
    // by the hand-written migration): what the fold (analytics_fold) goes by to add each event to the
    // rollups exactly once. NULL on events stored before the fold existed, which ingest had added.
    ingestXid: bigint("ingest_xid", { mode: "number" }),
  },
  (t) => [
    index("analytics_events_time_brin").using("brin", t.occurredAt),
    // Events arrive in transaction order, so the fold finds the unfolded tail through a BRIN index too.
    index("analytics_events_xid_brin").using("brin", t.ingestXid),
  ],
);

/**
 * How far each tenant's events are folded into the rollups and funnel tables: the snapshot of the
 * last fold (pg_snapshot as text). An event is folded once its transaction is visible in it.
 */
export const analyticsFoldState = pgTable("analytics_fold_state", {
  tenantId: uuid("tenant_id")
    .primaryKey()
    .references(() => tenants.id, { onDelete: "cascade" }),
  snapshot: text("snapshot").notNull(),
});

// Counts and sums per tenant, UTC 15-minute bucket, event type and dimensions. 15 minutes because
// every time zone's offset is a multiple of it, so any tenant's local day is an exact union of
// buckets. Absent dimensions are '' (not NULL) so they take part in the primary key.
export const analyticsRollups = pgTable(
  "analytics_rollups",
  {
    tenantId: tenantId(), // no foreign key: a per-row trigger on every ingest (see analyticsEvents)
    bucket: timestamp("bucket", { withTimezone: true }).notNull(),
    type: text("type").notNull(),
    channel: text("channel").notNull().default(""),
    routeId: text("route_id").notNull().default(""),
    ownerId: text("owner_id").notNull().default(""),
    detail: text("detail").notNull().default(""),
    step: text("step").notNull().default(""),
    currency: text("currency").notNull().default(""),
    count: bigint("count", { mode: "number" }).notNull(),
    valueSum: doublePrecision("value_sum").notNull().default(0),
    valueCount: bigint("value_count", { mode: "number" }).notNull().default(0),
  },
  (t) => [
    primaryKey({
      name: "analytics_rollups_pk",
      columns: [t.tenantId, t.bucket, t.type, t.channel, t.routeId, t.ownerId, t.detail, t.step, t.currency],
    }),
  ],
);

/** Per-tenant analytics settings; a tenant without a row keeps events DEFAULT_RETENTION_DAYS. */
export const analyticsSettings = pgTable("analytics_settings", {
  tenantId: uuid("tenant_id")
    .primaryKey()
    .references(() => tenants.id, { onDelete: "cascade" }),
  retentionDays: integer("retention_days").notNull().default(400),
  // How long dead letters (events that exhausted their retries) wait for a replay.
  deadLetterRetentionDays: integer("dead_letter_retention_days").notNull().default(30),
  updatedAt: createdAt(),
});
export const DEFAULT_RETENTION_DAYS = 400;
export const DEFAULT_DEAD_LETTER_RETENTION_DAYS = 30;

// Messages that exhausted their retries (the `events-dlq` consumer stores them); replay re-enqueues.
export const analyticsDeadLetters = pgTable(
  "analytics_dead_letters",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    tenantId: tenantRef(),
    eventId: uuid("event_id").notNull(),
    body: jsonb("body").notNull(),
    attempts: integer("attempts").notNull().default(0),
    replayedAt: ts("replayed_at"),
    createdAt: createdAt(),
  },
  (t) => [index("analytics_dead_letters_pending_idx").on(t.tenantId, t.createdAt)],
);

// Poison messages (invalid, or failing alone), tenant-less because an invalid message may name no
// tenant or a wrong one. Written by the consumer as the connecting user; app_user has no access.
export const eventsRejected = pgTable("events_rejected", {
  id: uuid("id").primaryKey().defaultRandom(),
  queue: text("queue").notNull(),
  messageId: text("message_id").notNull(),
  claimedTenantId: text("claimed_tenant_id"),
  body: jsonb("body"),
  reason: text("reason").notNull(),
  createdAt: createdAt(),
});

// The same sums per tenant-local day, for long ranges (a year of 15-minute buckets is ~35,000 buckets
// per series). Kept for one time zone per tenant, the one in analytics_daily_zones: ingest adds to
// them only while the tenant's zone equals it (read under a lock on the tenant row, see ingest.ts);
// when the zone changes, rebuildDailyRollups recomputes them exactly from the 15-minute rollups, and
// until then reports fall back to the 15-minute rollups.
export const analyticsRollupsDaily = pgTable(
  "analytics_rollups_daily",
  {
    tenantId: tenantId(), // no foreign key, like analyticsRollups
    timeZone: text("time_zone").notNull(),
    type: text("type").notNull(),
    day: date("day").notNull(),
    channel: text("channel").notNull().default(""),
    routeId: text("route_id").notNull().default(""),
    ownerId: text("owner_id").notNull().default(""),
    detail: text("detail").notNull().default(""),
    step: text("step").notNull().default(""),
    currency: text("currency").notNull().default(""),
    count: bigint("count", { mode: "number" }).notNull(),
    valueSum: doublePrecision("value_sum").notNull().default(0),
    valueCount: bigint("value_count", { mode: "number" }).notNull().default(0),
  },
  (t) => [
    primaryKey({
      name: "analytics_rollups_daily_pk",
      columns: [
        t.tenantId,
        t.timeZone,
        t.type,
        t.day,
        t.channel,
        t.routeId,
        t.ownerId,
        t.detail,
        t.step,
        t.currency,
      ],
    }),
  ],
);

/** The time zone a tenant's daily rollups are complete for. */
export const analyticsDailyZones = pgTable("analytics_daily_zones", {
  tenantId: uuid("tenant_id")
    .primaryKey()
    .references(() => tenants.id, { onDelete: "cascade" }),
  timeZone: text("time_zone").notNull(),
  rebuiltAt: createdAt(),
});

// The funnel report's cohort, one row per conversation, kept at ingest so the report is a scan by
// (tenant, started_at) instead of joining a year of raw events. Each stage holds the earliest time
// it was reached (NULL: not yet); rows are merged with LEAST/GREATEST/coalesce from newly inserted
// events only, so duplicates and any delivery order give the same row. Leads and deals link back to
// their conversation through the two tables below (a stage event may arrive before its link).
// last_at (latest event time merged in) is what retention deletes by. No foreign key to tenants:
// these are written on every ingest and nothing deletes tenants (see analyticsEvents).
export const analyticsFunnel = pgTable(
  "analytics_funnel",
  {
    tenantId: tenantId(),
    conversationId: text("conversation_id").notNull(),
    startedAt: ts("started_at"),
    channel: text("channel"),
    engagedAt: ts("engaged_at"),
    formCompletedAt: ts("form_completed_at"),
    leadAt: ts("lead_at"),
    sqlAt: ts("sql_at"),
    dealAt: ts("deal_at"),
    wonAt: ts("won_at"),
    lastAt: ts("last_at").notNull(),
    // The row as it was before the latest ingest's update (start, channel, stages reached as bits:
    // engaged 1, form 2, lead 4, SQL 8, deal 16, won 32), written by that same update so its
    // RETURNING gives old and new together: the exact change to add to analytics_funnel_daily.
    prevStartedAt: ts("prev_started_at"),
    prevChannel: text("prev_channel"),
    prevStages: smallint("prev_stages").notNull().default(0),
  },
  (t) => [
    primaryKey({ name: "analytics_funnel_pk", columns: [t.tenantId, t.conversationId] }),
    index("analytics_funnel_started_idx").on(t.tenantId, t.startedAt),
  ],
);

// The funnel cohort per tenant-local start day and channel: how many conversations started that day
// and how many of them reached each stage so far. The funnel report reads ~365 rows a year from it
// instead of one row per conversation. Kept like analytics_rollups_daily, for the zone in
// analytics_daily_zones: ingest adds the change of each analytics_funnel row it updates (new minus
// prev, see ingest), and a zone change rebuilds it from analytics_funnel (daily.ts).
export const analyticsFunnelDaily = pgTable(
  "analytics_funnel_daily",
  {
    tenantId: tenantId(),
    timeZone: text("time_zone").notNull(),
    day: date("day").notNull(),
    channel: text("channel").notNull().default(""),
    started: bigint("started", { mode: "number" }).notNull().default(0),
    engaged: bigint("engaged", { mode: "number" }).notNull().default(0),
    formCompleted: bigint("form_completed", { mode: "number" }).notNull().default(0),
    leads: bigint("leads", { mode: "number" }).notNull().default(0),
    sqls: bigint("sqls", { mode: "number" }).notNull().default(0),
    deals: bigint("deals", { mode: "number" }).notNull().default(0),
    won: bigint("won", { mode: "number" }).notNull().default(0),
  },
  (t) => [
    primaryKey({ name: "analytics_funnel_daily_pk", columns: [t.tenantId, t.timeZone, t.day, t.channel] }),
  ],
);

/** Per lead: its conversation (from lead.created) and the earliest SQL / deal / won times. */
export const analyticsFunnelLeads = pgTable(
  "analytics_funnel_leads",
  {
    tenantId: tenantId(),
    leadId: text("lead_id").notNull(),
    conversationId: text("conversation_id"),
    createdAt: ts("created_at"),
    sqlAt: ts("sql_at"),
    dealAt: ts("deal_at"),
    wonAt: ts("won_at"),
    lastAt: ts("last_at").notNull(),
  },
  (t) => [primaryKey({ name: "analytics_funnel_leads_pk", columns: [t.tenantId, t.leadId] })],
);

/** Per deal: its lead (from deal.created) and when it was created and won. */
export const analyticsFunnelDeals = pgTable(
  "analytics_funnel_deals",
  {
    tenantId: tenantId(),
    dealId: text("deal_id").notNull(),
    leadId: text("lead_id"),
    createdAt: ts("created_at"),
    wonAt: ts("won_at"),
    lastAt: ts("last_at").notNull(),
  },
  (t) => [primaryKey({ name: "analytics_funnel_deals_pk", columns: [t.tenantId, t.dealId] })],
);
