import { sql } from "drizzle-orm";
import { customType, timestamp, uuid } from "drizzle-orm/pg-core";

// Shared column builders so every table spells ids and times the same way.
export const id = () => uuid("id").primaryKey().default(sql`gen_random_uuid()`);
export const tenantId = () => uuid("tenant_id").notNull();
export const createdAt = () => timestamp("created_at", { withTimezone: true }).notNull().defaultNow();
export const ts = (name: string) => timestamp(name, { withTimezone: true });

/** Bytes travel as base64 text through SQL (decode/encode), never as a driver binary value. */
export const bytea = customType<{ data: string }>({ dataType: () => "bytea" });
