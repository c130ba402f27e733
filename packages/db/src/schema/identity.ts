import { sql } from "drizzle-orm";
import {
  type AnyPgColumn,
  boolean,
  foreignKey,
  pgEnum,
  pgTable,
  primaryKey,
  text,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";
import { createdAt, id, tenantId, ts } from "./columns.js";

export const roleEnum = pgEnum("member_role", ["owner", "admin", "agent", "viewer"]);
export const ROLES = roleEnum.enumValues;
export type Role = (typeof ROLES)[number];

export const tenants = pgTable("tenants", {
  id: id(),
  name: text("name").notNull(),
  timeZone: text("time_zone").notNull().default("UTC"),
  // A BCP 47 language tag ("en", "de-AT"): the widget's words and the dashboard's dates follow it.
  locale: text("locale").notNull().default("en"),
  createdAt: createdAt(),
});

/** The workspace a row belongs to: every tenant row goes when its workspace is deleted. */
export const tenantRef = () => tenantId().references(() => tenants.id, { onDelete: "cascade" });

// Users are global (one person may belong to several tenants); what a tenant sees of them goes
// through memberships, which RLS scopes.
export const users = pgTable(
  "users",
  {
    id: id(),
    email: text("email").notNull(),
    name: text("name").notNull().default(""),
    passwordHash: text("password_hash").notNull(),
    passwordSalt: text("password_salt").notNull(),
    emailVerified: boolean("email_verified").notNull().default(false),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("users_email_key").on(sql`lower(${t.email})`)],
);

export const memberships = pgTable(
  "memberships",
  {
    tenantId: tenantRef(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    role: roleEnum("role").notNull(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.userId] })],
);

/** (tenant, user) names a member of that same workspace, never of another. */
export const memberOf = (tenant: AnyPgColumn, user: AnyPgColumn) =>
  foreignKey({ columns: [tenant, user], foreignColumns: [memberships.tenantId, memberships.userId] });

export const invites = pgTable(
  "invites",
  {
    id: id(),
    tenantId: tenantRef(),
    email: text("email").notNull(),
    role: roleEnum("role").notNull(),
    tokenHash: text("token_hash").notNull(),
    invitedBy: uuid("invited_by"),
    expiresAt: ts("expires_at").notNull(),
    acceptedAt: ts("accepted_at"),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("invites_token_hash_key").on(t.tokenHash)],
);

// Single-use, expiring tokens for email verification and password reset. Only the hash is stored.
export const userTokens = pgTable(
  "user_tokens",
  {
    id: id(),
    tenantId: tenantId(),
    userId: uuid("user_id").notNull(),
    purpose: text("purpose", { enum: ["verify_email", "reset_password"] }).notNull(),
    tokenHash: text("token_hash").notNull(),
    expiresAt: ts("expires_at").notNull(),
    usedAt: ts("used_at"),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("user_tokens_token_hash_key").on(t.tokenHash),
    memberOf(t.tenantId, t.userId).onDelete("cascade"),
  ],
);
