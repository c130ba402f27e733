import { sql } from "drizzle-orm";
import { boolean, index, jsonb, pgTable, text, unique, uuid } from "drizzle-orm/pg-core";
import { createdAt, id, tenantId, ts } from "./columns.js";
import { tenantRef } from "./identity.js";

// The inbound lead webhook: one signed endpoint per workspace that form tools post to, how their
// fields map to a contact and a lead, and the latest payloads it got (shown in settings).

/** Where a lead's fields are in a form tool's payload: dot paths ("data.fields.email"). */
export type IntakeMapping = {
  email?: string;
  name?: string;
  firstName?: string;
  lastName?: string;
  phone?: string;
  company?: string;
  title?: string;
  /** Lead attributes by key. */
  attributes?: Record<string, string>;
};

export const leadIntakes = pgTable(
  "lead_intakes",
  {
    tenantId: tenantRef().primaryKey(),
    /** The public id in its URL (/v1/intake/{id}). */
    id: uuid("id").notNull().default(sql`gen_random_uuid()`),
    secretSealed: text("secret_sealed").notNull(),
    enabled: boolean("enabled").notNull().default(true),
    /** Run the assignment rules on each new lead. */
    assign: boolean("assign").notNull().default(true),
    mapping: jsonb("mapping").$type<IntakeMapping>().notNull().default({}),
    createdAt: createdAt(),
    updatedAt: ts("updated_at").notNull().default(sql`now()`),
  },
  (t) => [unique("lead_intakes_id_key").on(t.id)],
);

export const leadIntakePayloads = pgTable(
  "lead_intake_payloads",
  {
    id: id(),
    tenantId: tenantId(),
    /** The sender's message id (webhook-id or Idempotency-Key): a repeat makes no second lead. */
    messageId: text("message_id"),
    payload: jsonb("payload").notNull(),
    outcome: text("outcome", { enum: ["created", "duplicate", "refused"] }).notNull(),
    leadId: uuid("lead_id"),
    error: text("error"),
    createdAt: createdAt(),
  },
  (t) => [
    index("lead_intake_payloads_recent_idx").on(t.tenantId, t.createdAt),
    unique("lead_intake_payloads_message_key").on(t.tenantId, t.messageId),
  ],
);
