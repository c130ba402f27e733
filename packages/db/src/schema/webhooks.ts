import { sql } from "drizzle-orm";
import { foreignKey, index, integer, jsonb, pgTable, text, unique, uuid } from "drizzle-orm/pg-core";
import { createdAt, id, tenantId, ts } from "./columns.js";
import { tenantRef } from "./identity.js";

// Outbound webhooks (Standard Webhooks 1.0): a workspace's endpoints, each event they take as one
// delivery (tried until it succeeds or its schedule runs out), and every try with what came back.

export const WEBHOOK_ENDPOINT_STATUSES = ["active", "disabled"] as const;
export const WEBHOOK_DELIVERY_STATUSES = ["pending", "sending", "succeeded", "retrying", "failed"] as const;

export const webhookEndpoints = pgTable(
  "webhook_endpoints",
  {
    id: id(),
    tenantId: tenantRef(),
    url: text("url").notNull(),
    description: text("description").notNull().default(""),
    /** The event types it takes; empty: all of them. */
    eventTypes: jsonb("event_types").$type<string[]>().notNull().default([]),
    status: text("status", { enum: WEBHOOK_ENDPOINT_STATUSES }).notNull().default("active"),
    disabledReason: text("disabled_reason"),
    /** The signing secret (`whsec_…`), sealed with AI_MASTER_KEY. */
    secretSealed: text("secret_sealed").notNull(),
    /** After a rotation: the old secret, which still signs until `previousSecretUntil`. */
    previousSecretSealed: text("previous_secret_sealed"),
    previousSecretUntil: ts("previous_secret_until"),
    createdAt: createdAt(),
    updatedAt: ts("updated_at").notNull().default(sql`now()`),
  },
  (t) => [unique("webhook_endpoints_tenant_id_key").on(t.tenantId, t.id)],
);

export const webhookDeliveries = pgTable(
  "webhook_deliveries",
  {
    id: id(),
    tenantId: tenantId(),
    endpointId: uuid("endpoint_id").notNull(),
    /** The event's id: with the endpoint, one delivery per event (a redelivered queue message is not a second). */
    eventId: uuid("event_id").notNull(),
    eventType: text("event_type").notNull(),
    /** The body as sent: `{type, timestamp, data}`. */
    payload: jsonb("payload").notNull(),
    status: text("status", { enum: WEBHOOK_DELIVERY_STATUSES }).notNull().default("pending"),
    attempts: integer("attempts").notNull().default(0),
    lastStatusCode: integer("last_status_code"),
    lastError: text("last_error"),
    nextAttemptAt: ts("next_attempt_at"),
    createdAt: createdAt(),
    updatedAt: ts("updated_at").notNull().default(sql`now()`),
  },
  (t) => [
    unique("webhook_deliveries_endpoint_event_key").on(t.tenantId, t.endpointId, t.eventId),
    unique("webhook_deliveries_tenant_id_key").on(t.tenantId, t.id),
    index("webhook_deliveries_endpoint_idx").on(t.tenantId, t.endpointId, t.createdAt),
    foreignKey({
      name: "webhook_deliveries_endpoint_fk",
      columns: [t.tenantId, t.endpointId],
      foreignColumns: [webhookEndpoints.tenantId, webhookEndpoints.id],
    }).onDelete("cascade"),
  ],
);

export const webhookAttempts = pgTable(
  "webhook_attempts",
  {
    id: id(),
    tenantId: tenantId(),
    deliveryId: uuid("delivery_id").notNull(),
    attempt: integer("attempt").notNull(),
    /** The request as sent: its headers (the signature included) and body. */
    request: jsonb("request")
      .$type<{ url: string; headers: Record<string, string>; body: string }>()
      .notNull(),
    statusCode: integer("status_code"),
    latencyMs: integer("latency_ms").notNull(),
    /** The first 1,000 characters of the answer. */
    responseExcerpt: text("response_excerpt").notNull().default(""),
    error: text("error"),
    createdAt: createdAt(),
  },
  (t) => [
    index("webhook_attempts_delivery_idx").on(t.tenantId, t.deliveryId, t.attempt),
    foreignKey({
      name: "webhook_attempts_delivery_fk",
      columns: [t.tenantId, t.deliveryId],
      foreignColumns: [webhookDeliveries.tenantId, webhookDeliveries.id],
    }).onDelete("cascade"),
  ],
);
