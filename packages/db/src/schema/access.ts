import { sql } from "drizzle-orm";
import { index, integer, jsonb, pgTable, primaryKey, text, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { createdAt, id, tenantId, ts } from "./columns.js";
import { memberOf, roleEnum, tenantRef } from "./identity.js";

// API keys: `ak_<prefix>_<secret>`; the prefix is public and indexed, only SHA-256 of the secret is kept.
export const apiKeys = pgTable(
  "api_keys",
  {
    id: id(),
    tenantId: tenantRef(),
    name: text("name").notNull(),
    prefix: text("prefix").notNull(),
    secretHash: text("secret_hash").notNull(),
    role: roleEnum("role").notNull(),
    scopes: text("scopes").array().notNull().default(sql`'{}'::text[]`),
    createdBy: uuid("created_by"),
    createdAt: createdAt(),
    lastUsedAt: ts("last_used_at"),
    revokedAt: ts("revoked_at"),
  },
  (t) => [uniqueIndex("api_keys_prefix_key").on(t.prefix), index("api_keys_tenant_idx").on(t.tenantId)],
);

// Browser sessions. The cookie carries a random token; the row keeps its hash and the CSRF token's hash.
export const sessions = pgTable(
  "sessions",
  {
    id: id(),
    tenantId: tenantId(),
    userId: uuid("user_id").notNull(),
    tokenHash: text("token_hash").notNull(),
    csrfHash: text("csrf_hash").notNull(),
    expiresAt: ts("expires_at").notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("sessions_token_hash_key").on(t.tokenHash),
    memberOf(t.tenantId, t.userId).onDelete("cascade"),
  ],
);

export const idempotencyKeys = pgTable(
  "idempotency_keys",
  {
    tenantId: tenantRef(),
    key: text("key").notNull(),
    route: text("route").notNull(),
    requestHash: text("request_hash").notNull(),
    // Null while the first request is still running (a concurrent retry then gets 409).
    responseStatus: integer("response_status"),
    responseBody: jsonb("response_body"),
    createdAt: createdAt(),
  },
  // created_at: the hourly sweep (pruneIdempotencyKeys) finds expired keys without a full scan.
  (t) => [
    primaryKey({ columns: [t.tenantId, t.key] }),
    index("idempotency_keys_created_idx").on(t.createdAt),
  ],
);
