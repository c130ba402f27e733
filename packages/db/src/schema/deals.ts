import {
  boolean,
  date,
  foreignKey,
  index,
  integer,
  numeric,
  pgTable,
  primaryKey,
  text,
  unique,
  uuid,
} from "drizzle-orm/pg-core";
import { createdAt, id, ts } from "./columns.js";
import { companies, contacts } from "./contacts.js";
import { memberOf, tenantRef } from "./identity.js";
import { leads } from "./leads.js";

export const STAGE_CATEGORIES = ["open", "won", "lost"] as const;
export type StageCategory = (typeof STAGE_CATEGORIES)[number];
/** The rep's call on an open deal; closed won is derived from the stage. */
export const FORECAST_CATEGORIES = ["pipeline", "best_case", "commit"] as const;
export type ForecastCategory = (typeof FORECAST_CATEGORIES)[number];
export const ACTIVITY_KINDS = ["call", "email", "meeting", "note", "task"] as const;
export type ActivityKind = (typeof ACTIVITY_KINDS)[number];

export const pipelines = pgTable(
  "pipelines",
  {
    id: id(),
    tenantId: tenantRef(),
    name: text("name").notNull(),
    isDefault: boolean("is_default").notNull().default(false),
    createdAt: createdAt(),
  },
  (t) => [unique("pipelines_tenant_id_key").on(t.tenantId, t.id)],
);

export const stages = pgTable(
  "stages",
  {
    id: id(),
    tenantId: tenantRef(),
    pipelineId: uuid("pipeline_id").notNull(),
    name: text("name").notNull(),
    position: integer("position").notNull(),
    /** 0–100: the chance a deal in this stage is won. */
    probability: integer("probability").notNull(),
    category: text("category", { enum: STAGE_CATEGORIES }).notNull().default("open"),
    createdAt: createdAt(),
  },
  (t) => [
    unique("stages_tenant_id_key").on(t.tenantId, t.id),
    // Deals reference (tenant, pipeline, stage) so a deal's stage always belongs to its pipeline.
    unique("stages_tenant_pipeline_id_key").on(t.tenantId, t.pipelineId, t.id),
    foreignKey({
      columns: [t.tenantId, t.pipelineId],
      foreignColumns: [pipelines.tenantId, pipelines.id],
    }).onDelete("cascade"),
  ],
);

export const deals = pgTable(
  "deals",
  {
    id: id(),
    tenantId: tenantRef(),
    pipelineId: uuid("pipeline_id").notNull(),
    stageId: uuid("stage_id").notNull(),
    title: text("title").notNull(),
    amount: numeric("amount", { precision: 14, scale: 2, mode: "number" }).notNull().default(0),
    currency: text("currency").notNull().default("USD"),
    expectedCloseDate: date("expected_close_date"),
    forecastCategory: text("forecast_category", { enum: FORECAST_CATEGORIES }).notNull().default("pipeline"),
    ownerId: uuid("owner_id"),
    contactId: uuid("contact_id"),
    companyId: uuid("company_id"),
    leadId: uuid("lead_id"),
    wonReason: text("won_reason"),
    lostReason: text("lost_reason"),
    closedAt: ts("closed_at"),
    stageEnteredAt: ts("stage_entered_at").notNull().defaultNow(),
    lastActivityAt: ts("last_activity_at"),
    staleFlaggedAt: ts("stale_flagged_at"),
    createdAt: createdAt(),
    updatedAt: ts("updated_at")
      .notNull()
      .defaultNow()
      .$onUpdate(() => new Date()),
  },
  (t) => [
    unique("deals_tenant_id_key").on(t.tenantId, t.id),
    foreignKey({
      columns: [t.tenantId, t.pipelineId, t.stageId],
      foreignColumns: [stages.tenantId, stages.pipelineId, stages.id],
    }),
    memberOf(t.tenantId, t.ownerId),
    foreignKey({ columns: [t.tenantId, t.contactId], foreignColumns: [contacts.tenantId, contacts.id] }),
    foreignKey({ columns: [t.tenantId, t.companyId], foreignColumns: [companies.tenantId, companies.id] }),
    foreignKey({ columns: [t.tenantId, t.leadId], foreignColumns: [leads.tenantId, leads.id] }),
    index("deals_tenant_created_idx").on(t.tenantId, t.createdAt, t.id),
    index("deals_forecast_idx").on(t.tenantId, t.pipelineId, t.expectedCloseDate),
    // The changes feed of sync plugins (deals changed since a cursor).
    index("deals_tenant_updated_idx").on(t.tenantId, t.updatedAt, t.id),
  ],
);

export const dealStageHistory = pgTable(
  "deal_stage_history",
  {
    id: id(),
    tenantId: tenantRef(),
    dealId: uuid("deal_id").notNull(),
    fromStageId: uuid("from_stage_id"),
    toStageId: uuid("to_stage_id").notNull(),
    changedBy: uuid("changed_by"),
    changedAt: ts("changed_at").notNull().defaultNow(),
  },
  (t) => [
    foreignKey({ columns: [t.tenantId, t.dealId], foreignColumns: [deals.tenantId, deals.id] }).onDelete(
      "cascade",
    ),
    index("deal_stage_history_deal_idx").on(t.tenantId, t.dealId, t.changedAt),
    index("deal_stage_history_from_idx").on(t.tenantId, t.fromStageId),
  ],
);

/**
 * The forecast's rollup: deals summed by (pipeline, currency, month, owner, stage, forecast category),
 * so a forecast reads a few hundred rows whatever the number of deals. Kept by statement triggers on
 * deals in the same transaction as every deal write (migrations 0019, 0026: deal_forecast_apply), and
 * rebuilt for a tenant when its time zone changes (deal_rollups_rebuild). `month` is yyyymm in the
 * tenant's zone — expected close month for deals in an open stage, the month closed otherwise — and 0
 * when undated; a key no deal is in any more stays with deals = 0. Probability and category are read
 * from the stage at query time.
 */
export const dealForecastRollup = pgTable(
  "deal_forecast_rollup",
  {
    tenantId: tenantRef(),
    pipelineId: uuid("pipeline_id").notNull(),
    currency: text("currency").notNull(),
    month: integer("month").notNull(),
    ownerId: uuid("owner_id"),
    stageId: uuid("stage_id").notNull(),
    forecastCategory: text("forecast_category", { enum: FORECAST_CATEGORIES }).notNull(),
    deals: integer("deals").notNull(),
    amount: numeric("amount", { mode: "number" }).notNull(),
    /** Σ seconds from creation to close (closed deals only): velocity's cycle length. */
    cycleSeconds: numeric("cycle_seconds", { mode: "number" }).notNull(),
  },
  (t) => [
    unique("deal_forecast_rollup_key")
      .on(t.tenantId, t.currency, t.pipelineId, t.month, t.ownerId, t.stageId, t.forecastCategory)
      .nullsNotDistinct(),
  ],
);

/**
 * Win rate by stage, kept like the forecast rollup: per (pipeline, currency, stage), how many closed
 * deals that reached the stage (appear in its stage history) were won or lost. Triggers on deals
 * (outcome or currency changed, deal deleted) and on deal_stage_history (a stage reached) keep it.
 */
export const dealStageOutcomes = pgTable(
  "deal_stage_outcomes",
  {
    tenantId: tenantRef(),
    pipelineId: uuid("pipeline_id").notNull(),
    currency: text("currency").notNull(),
    stageId: uuid("stage_id").notNull(),
    won: integer("won").notNull(),
    lost: integer("lost").notNull(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.currency, t.pipelineId, t.stageId] })],
);

export const activities = pgTable(
  "activities",
  {
    id: id(),
    tenantId: tenantRef(),
    kind: text("kind", { enum: ACTIVITY_KINDS }).notNull(),
    subject: text("subject").notNull().default(""),
    body: text("body").notNull().default(""),
    contactId: uuid("contact_id"),
    companyId: uuid("company_id"),
    leadId: uuid("lead_id"),
    dealId: uuid("deal_id"),
    ownerId: uuid("owner_id"),
    occurredAt: ts("occurred_at").notNull().defaultNow(),
    dueAt: ts("due_at"),
    remindAt: ts("remind_at"),
    remindedAt: ts("reminded_at"),
    completedAt: ts("completed_at"),
    createdAt: createdAt(),
  },
  (t) => [
    foreignKey({ columns: [t.tenantId, t.contactId], foreignColumns: [contacts.tenantId, contacts.id] }),
    foreignKey({ columns: [t.tenantId, t.companyId], foreignColumns: [companies.tenantId, companies.id] }),
    foreignKey({ columns: [t.tenantId, t.leadId], foreignColumns: [leads.tenantId, leads.id] }).onDelete(
      "cascade",
    ),
    foreignKey({ columns: [t.tenantId, t.dealId], foreignColumns: [deals.tenantId, deals.id] }).onDelete(
      "cascade",
    ),
    memberOf(t.tenantId, t.ownerId),
    index("activities_contact_idx").on(t.tenantId, t.contactId, t.occurredAt),
    index("activities_deal_idx").on(t.tenantId, t.dealId, t.occurredAt),
    index("activities_reminder_idx").on(t.remindAt),
  ],
);
