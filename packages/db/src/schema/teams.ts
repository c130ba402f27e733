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
import { createdAt, id, ts } from "./columns.js";
import { memberOf, tenantRef } from "./identity.js";
import { leads } from "./leads.js";

export const ASSIGNMENT_STRATEGIES = ["round_robin", "weighted", "least_loaded", "specific"] as const;
export type AssignmentStrategy = (typeof ASSIGNMENT_STRATEGIES)[number];

/** Weekly hours in the member's time zone; day 0 = Sunday, times "HH:MM". */
export type WorkingHours = { day: number; start: string; end: string }[];
/** Inclusive date ranges ("YYYY-MM-DD") when the member is away. */
export type OutOfOffice = { from: string; to: string }[];

export const teams = pgTable(
  "teams",
  {
    id: id(),
    tenantId: tenantRef(),
    name: text("name").notNull(),
    createdAt: createdAt(),
  },
  (t) => [unique("teams_tenant_id_key").on(t.tenantId, t.id)],
);

export const teamMembers = pgTable(
  "team_members",
  {
    tenantId: tenantRef(),
    teamId: uuid("team_id").notNull(),
    userId: uuid("user_id").notNull(),
    skills: text("skills").array().notNull().default(sql`'{}'::text[]`),
    languages: text("languages").array().notNull().default(sql`'{}'::text[]`),
    territories: text("territories").array().notNull().default(sql`'{}'::text[]`),
    /** Most open leads this member may hold; null = unlimited. */
    capacity: integer("capacity"),
    weight: integer("weight").notNull().default(1),
    timeZone: text("time_zone").notNull().default("UTC"),
    /** Empty = always working. */
    workingHours: jsonb("working_hours").$type<WorkingHours>().notNull().default([]),
    outOfOffice: jsonb("out_of_office").$type<OutOfOffice>().notNull().default([]),
    // Presence is not here: agent_presence (conversations.ts) is its one source.
    /** Round-robin order: the eligible member assigned longest ago goes next. */
    lastAssignedAt: ts("last_assigned_at"),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.teamId, t.userId] }),
    foreignKey({ columns: [t.tenantId, t.teamId], foreignColumns: [teams.tenantId, teams.id] }).onDelete(
      "cascade",
    ),
    memberOf(t.tenantId, t.userId).onDelete("cascade"),
  ],
);

/** Ordered rules: the first whose conditions match picks the team/owner and the strategy. */
export const assignmentRules = pgTable(
  "assignment_rules",
  {
    id: id(),
    tenantId: tenantRef(),
    name: text("name").notNull(),
    position: integer("position").notNull().default(0),
    enabled: boolean("enabled").notNull().default(true),
    conditions: jsonb("conditions").$type<Record<string, unknown>>().notNull().default({}),
    strategy: text("strategy", { enum: ASSIGNMENT_STRATEGIES }).notNull(),
    teamId: uuid("team_id"),
    ownerId: uuid("owner_id"),
    createdAt: createdAt(),
  },
  (t) => [
    unique("assignment_rules_tenant_id_key").on(t.tenantId, t.id),
    foreignKey({ columns: [t.tenantId, t.teamId], foreignColumns: [teams.tenantId, teams.id] }).onDelete(
      "cascade",
    ),
    memberOf(t.tenantId, t.ownerId).onDelete("cascade"),
    index("assignment_rules_order_idx").on(t.tenantId, t.position),
  ],
);

/** Every assignment decision, with why (and who was skipped and why). */
export const assignmentDecisions = pgTable(
  "assignment_decisions",
  {
    id: id(),
    tenantId: tenantRef(),
    leadId: uuid("lead_id").notNull(),
    ruleId: uuid("rule_id"),
    teamId: uuid("team_id"),
    ownerId: uuid("owner_id"),
    strategy: text("strategy").notNull(),
    reason: text("reason").notNull(),
    skipped: jsonb("skipped").$type<{ userId: string; reason: string }[]>().notNull().default([]),
    createdAt: createdAt(),
  },
  (t) => [
    foreignKey({ columns: [t.tenantId, t.leadId], foreignColumns: [leads.tenantId, leads.id] }).onDelete(
      "cascade",
    ),
    index("assignment_decisions_lead_idx").on(t.tenantId, t.leadId, t.createdAt),
  ],
);

/** In-app notifications for one member. */
export const notifications = pgTable(
  "notifications",
  {
    id: id(),
    tenantId: tenantRef(),
    userId: uuid("user_id").notNull(),
    kind: text("kind").notNull(),
    title: text("title").notNull(),
    body: text("body").notNull().default(""),
    data: jsonb("data").$type<Record<string, unknown>>().notNull().default({}),
    readAt: ts("read_at"),
    createdAt: createdAt(),
  },
  (t) => [
    memberOf(t.tenantId, t.userId).onDelete("cascade"),
    index("notifications_user_idx").on(t.tenantId, t.userId, t.createdAt),
  ],
);
