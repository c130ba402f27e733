import { sql } from "drizzle-orm";
import { index, integer, jsonb, pgTable, text, uuid } from "drizzle-orm/pg-core";
import { createdAt, id, ts } from "./columns.js";
import { tenantRef } from "./identity.js";

export const auditLog = pgTable(
  "audit_log",
  {
    id: id(),
    tenantId: tenantRef(),
    actorType: text("actor_type", { enum: ["user", "api_key", "system"] }).notNull(),
    actorId: uuid("actor_id"),
    action: text("action").notNull(),
    targetType: text("target_type"),
    targetId: text("target_id"),
    data: jsonb("data").notNull().default({}),
    requestId: text("request_id"),
    createdAt: createdAt(),
  },
  (t) => [index("audit_log_tenant_time_idx").on(t.tenantId, t.createdAt)],
);

// Transactional outbox: events written with the change they describe, then sent to the Queue.
export const outbox = pgTable(
  "outbox",
  {
    id: uuid("id").primaryKey(), // the event id; consumers dedupe on it
    tenantId: tenantRef(),
    type: text("type").notNull(),
    event: jsonb("event").notNull(),
    attempts: integer("attempts").notNull().default(0),
    lastError: text("last_error"),
    sentAt: ts("sent_at"),
    createdAt: createdAt(),
  },
  (t) => [index("outbox_pending_idx").on(t.tenantId, t.createdAt).where(sql`sent_at is null`)],
);

// Local mail: the dev Mailer stores messages here and the dashboard shows them.
export const mailOutbox = pgTable(
  "mail_outbox",
  {
    id: id(),
    tenantId: tenantRef(),
    to: text("to").notNull(),
    subject: text("subject").notNull(),
    text: text("text").notNull(),
    kind: text("kind").notNull(),
    createdAt: createdAt(),
  },
  (t) => [index("mail_outbox_tenant_time_idx").on(t.tenantId, t.createdAt)],
);
