import { sql } from "drizzle-orm";
import { boolean, jsonb, pgTable, text, uuid } from "drizzle-orm/pg-core";
import { ts } from "./columns.js";
import { tenants } from "./identity.js";

/**
 * The tenant's business hours (in the tenant's time zone): weekly opening intervals per weekday and
 * closed dates. Out of hours a handoff asks for an email first, and routes may be limited to open or
 * closed hours. No row, or `enabled` false, means always open.
 */
export const businessHours = pgTable("business_hours", {
  tenantId: uuid("tenant_id")
    .primaryKey()
    .references(() => tenants.id, { onDelete: "cascade" }),
  enabled: boolean("enabled").notNull().default(true),
  /** `{ mon: [{ open: "09:00", close: "17:00" }], … }`; a missing day is closed. Validated by the API. */
  weekly: jsonb("weekly").$type<Record<string, { open: string; close: string }[]>>().notNull().default({}),
  /** ISO dates (YYYY-MM-DD) closed all day. */
  closedDates: text("closed_dates").array().notNull().default(sql`'{}'::text[]`),
  updatedAt: ts("updated_at").notNull().defaultNow(),
});
