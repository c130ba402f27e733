import { foreignKey, index, integer, jsonb, pgTable, text, unique, uuid } from "drizzle-orm/pg-core";
import { bytea, createdAt, id, tenantId, ts } from "./columns.js";
import { companies, contacts } from "./contacts.js";
import { memberOf, tenantRef, tenants } from "./identity.js";

export const LEAD_STATUSES = ["new", "qualifying", "mql", "sql", "converted", "disqualified"] as const;
export type LeadStatus = (typeof LEAD_STATUSES)[number];
export const LEAD_SOURCES = ["chat", "api", "import", "plugin", "webhook"] as const;
export type LeadSource = (typeof LEAD_SOURCES)[number];

/** BANT signals, as extracted in chat or given through the API. */
export type LeadSignals = {
  budget?: number | null;
  authority?: boolean | null;
  need?: string | null;
  timeline?: string | null;
};
export type ScoreLine = { kind: "fit" | "engagement" | "signal"; label: string; points: number };

export const leads = pgTable(
  "leads",
  {
    id: id(),
    tenantId: tenantRef(),
    contactId: uuid("contact_id").notNull(),
    companyId: uuid("company_id"),
    title: text("title").notNull().default(""),
    status: text("status", { enum: LEAD_STATUSES }).notNull().default("new"),
    disqualifyReason: text("disqualify_reason"),
    score: integer("score").notNull().default(0),
    scoreBreakdown: jsonb("score_breakdown").$type<ScoreLine[]>().notNull().default([]),
    scoredAt: ts("scored_at"),
    signals: jsonb("signals").$type<LeadSignals>().notNull().default({}),
    /** Fit attributes used by scoring and assignment (country, industry, employees…). */
    attributes: jsonb("attributes").$type<Record<string, unknown>>().notNull().default({}),
    source: text("source", { enum: LEAD_SOURCES }).notNull(),
    territory: text("territory"),
    language: text("language"),
    product: text("product"),
    routeId: text("route_id"),
    conversationId: text("conversation_id"),
    ownerId: uuid("owner_id"),
    teamId: uuid("team_id"),
    assignedAt: ts("assigned_at"),
    firstTouchedAt: ts("first_touched_at"),
    /** When the owner must have touched the lead; null once touched or unassigned. */
    slaDueAt: ts("sla_due_at"),
    createdAt: createdAt(),
    updatedAt: ts("updated_at")
      .notNull()
      .defaultNow()
      .$onUpdate(() => new Date()),
  },
  (t) => [
    unique("leads_tenant_id_key").on(t.tenantId, t.id),
    foreignKey({ columns: [t.tenantId, t.contactId], foreignColumns: [contacts.tenantId, contacts.id] }),
    foreignKey({ columns: [t.tenantId, t.companyId], foreignColumns: [companies.tenantId, companies.id] }),
    memberOf(t.tenantId, t.ownerId),
    index("leads_tenant_created_idx").on(t.tenantId, t.createdAt, t.id),
    index("leads_owner_status_idx").on(t.tenantId, t.ownerId, t.status),
    index("leads_sla_idx").on(t.slaDueAt),
    // The inbox shows the owner of the lead a conversation produced.
    index("leads_conversation_idx").on(t.tenantId, t.conversationId),
  ],
);

/** Every status a lead moved through, by whom (a user; null for the system or an API key) and why. */
export const leadStatusHistory = pgTable(
  "lead_status_history",
  {
    id: id(),
    tenantId: tenantRef(),
    leadId: uuid("lead_id").notNull(),
    fromStatus: text("from_status", { enum: LEAD_STATUSES }).notNull(),
    toStatus: text("to_status", { enum: LEAD_STATUSES }).notNull(),
    reason: text("reason"),
    changedBy: uuid("changed_by"),
    changedAt: ts("changed_at").notNull().defaultNow(),
  },
  (t) => [
    foreignKey({ columns: [t.tenantId, t.leadId], foreignColumns: [leads.tenantId, leads.id] }).onDelete(
      "cascade",
    ),
    index("lead_status_history_lead_idx").on(t.tenantId, t.leadId, t.changedAt),
  ],
);

/** Engagement events a lead produced (page views, replies, form fills…), scored with decay. */
export const leadEvents = pgTable(
  "lead_events",
  {
    id: id(),
    tenantId: tenantRef(),
    leadId: uuid("lead_id").notNull(),
    type: text("type").notNull(),
    occurredAt: ts("occurred_at").notNull().defaultNow(),
    data: jsonb("data").$type<Record<string, unknown>>().notNull().default({}),
  },
  (t) => [
    foreignKey({ columns: [t.tenantId, t.leadId], foreignColumns: [leads.tenantId, leads.id] }).onDelete(
      "cascade",
    ),
    index("lead_events_lead_idx").on(t.tenantId, t.leadId, t.occurredAt),
  ],
);

/** A tenant's scoring rules; the shape of `rule` depends on `kind` (see packages/engine scoring). */
export const scoringRules = pgTable(
  "scoring_rules",
  {
    id: id(),
    tenantId: tenantRef(),
    kind: text("kind", { enum: ["fit", "engagement", "signal"] }).notNull(),
    label: text("label").notNull(),
    rule: jsonb("rule").$type<Record<string, unknown>>().notNull(),
    points: integer("points").notNull(),
    position: integer("position").notNull().default(0),
    createdAt: createdAt(),
  },
  (t) => [index("scoring_rules_tenant_idx").on(t.tenantId, t.position)],
);

/** One row per tenant: status thresholds and timers. Absent → the defaults in code. */
export const salesSettings = pgTable("sales_settings", {
  tenantId: tenantId()
    .primaryKey()
    .references(() => tenants.id, { onDelete: "cascade" }),
  qualifyingScore: integer("qualifying_score").notNull().default(10),
  mqlScore: integer("mql_score").notNull().default(40),
  sqlScore: integer("sql_score").notNull().default(70),
  firstTouchSlaMinutes: integer("first_touch_sla_minutes").notNull().default(60),
  staleDealDays: integer("stale_deal_days").notNull().default(14),
  updatedAt: ts("updated_at")
    .notNull()
    .defaultNow()
    .$onUpdate(() => new Date()),
});

/** CSV imports: progress while running, the per-row error report after. */
export const leadImports = pgTable(
  "lead_imports",
  {
    id: id(),
    tenantId: tenantRef(),
    status: text("status", { enum: ["running", "done", "failed"] })
      .notNull()
      .default("running"),
    /** Data rows in the file (counted when it was accepted): the progress bar's 100 %. */
    totalRows: integer("total_rows").notNull().default(0),
    /** Data rows handled so far (imported or failed); the job resumes after this many. */
    rows: integer("rows").notNull().default(0),
    imported: integer("imported").notNull().default(0),
    failed: integer("failed").notNull().default(0),
    errors: jsonb("errors").$type<{ row: number; field: string; message: string }[]>().notNull().default([]),
    /** The CSV while the job runs (cleared when it ends); the job reads it from here. */
    data: bytea("data"),
    createdBy: uuid("created_by"),
    createdAt: createdAt(),
    /** Last progress: an import running with no progress for long is re-queued (its message was lost). */
    updatedAt: ts("updated_at").notNull().defaultNow(),
    finishedAt: ts("finished_at"),
  },
  (t) => [index("lead_imports_tenant_idx").on(t.tenantId, t.createdAt)],
);
