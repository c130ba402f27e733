import type { Database } from "./database.js";
import type { Role } from "./schema/index.js";

// Typed wrappers over the SECURITY DEFINER functions of migrations/0001_tenant_isolation.sql:
// the only reads made before a tenant is known.

export type LoginRow = {
  user_id: string;
  password_hash: string;
  password_salt: string;
  email_verified: boolean;
  tenant_id: string | null;
  role: Role | null;
};

export type ApiKeyRow = {
  key_id: string;
  tenant_id: string;
  tenant_name: string;
  time_zone: string;
  /** Absent in rows cached before migration 0039. */
  tenant_locale?: string;
  name: string;
  role: Role;
  scopes: string[];
  revoked: boolean;
};

export type SessionRow = {
  session_id: string;
  tenant_id: string;
  user_id: string;
  role: Role;
  csrf_hash: string;
  expires_at: Date;
  email: string;
  user_name: string;
  email_verified: boolean;
  tenant_name: string;
  time_zone: string;
  tenant_locale: string;
};

export type InviteRow = {
  invite_id: string;
  tenant_id: string;
  email: string;
  role: Role;
  expires_at: Date;
  accepted_at: Date | null;
};

export type UserTokenRow = {
  token_id: string;
  tenant_id: string;
  user_id: string;
  purpose: "verify_email" | "reset_password";
  expires_at: Date;
  used_at: Date | null;
};

export type WidgetKeyRow = {
  key_id: string;
  tenant_id: string;
  tenant_name: string;
  tenant_locale: string;
  settings: Record<string, unknown>;
  allowed_origins: string[];
  enabled: boolean;
};

export const lookups = {
  login: (db: Database, email: string) => db.query<LoginRow>("select * from auth_login_lookup($1)", [email]),
  apiKey: async (db: Database, prefix: string, secretHash: string) =>
    (await db.query<ApiKeyRow>("select * from auth_api_key($1, $2)", [prefix, secretHash]))[0],
  session: async (db: Database, tokenHash: string) =>
    (await db.query<SessionRow>("select * from auth_session($1)", [tokenHash]))[0],
  invite: async (db: Database, tokenHash: string) =>
    (await db.query<InviteRow>("select * from auth_invite($1)", [tokenHash]))[0],
  userToken: async (db: Database, tokenHash: string) =>
    (await db.query<UserTokenRow>("select * from auth_user_token($1)", [tokenHash]))[0],
  pendingOutboxTenants: async (db: Database, limit: number) =>
    (
      await db.query<{ outbox_pending_tenants: string }>("select * from outbox_pending_tenants($1)", [limit])
    ).map((r) => r.outbox_pending_tenants),
  widgetKey: async (db: Database, publicKey: string) =>
    (await db.query<WidgetKeyRow>("select * from widget_key_lookup($1)", [publicKey]))[0],
  /** Sources of tenants with an embedding model whose chunks older than `quietMinutes` lack one. */
  embeddingGaps: (db: Database, quietMinutes: number, limit: number) =>
    db.query<{ tenant_id: string; source_id: string }>(
      "select * from knowledge_embedding_gaps(make_interval(mins => $1), $2)",
      [quietMinutes, limit],
    ),
  // Cross-tenant look-ups of the cron and the consumers: ids only; the work itself runs per tenant.
  idempotencyKeysDue: (db: Database, days: number, limit: number) =>
    db.query<{ tenant_id: string }>("select * from idempotency_keys_due($1, $2)", [days, limit]),
  knowledgeSourcesDue: (db: Database, limit: number) =>
    db.query<{ tenant_id: string; source_id: string }>("select * from knowledge_sources_due($1)", [limit]),
  stuckKnowledgeSources: (db: Database, quietMinutes: number, limit: number) =>
    db.query<{ tenant_id: string; source_id: string; kind: string; run_id: number }>(
      "select * from knowledge_sources_stuck(make_interval(mins => $1), $2)",
      [quietMinutes, limit],
    ),
  analyticsRetentionDue: (db: Database, limit: number) =>
    db.query<{ tenant_id: string; retention_days: number }>("select * from analytics_retention_due($1)", [
      limit,
    ]),
  deadLettersDue: (db: Database, limit: number) =>
    db.query<{ tenant_id: string; days: number }>("select * from analytics_dead_letters_due($1)", [limit]),
  deadLettersPending: async (db: Database, limit: number) =>
    (
      await db.query<{ analytics_dead_letters_pending: string }>(
        "select * from analytics_dead_letters_pending($1)",
        [limit],
      )
    ).map((r) => r.analytics_dead_letters_pending),
  salesDueTenants: async (db: Database, limit: number) =>
    (
      await db.query<{ id: string }>("select sales_due_tenants as id from sales_due_tenants($1)", [limit])
    ).map((r) => r.id),
  /** Ingests queue batches of events, each tenant's as that tenant (analytics/ingest.ts). */
  analyticsIngest: (db: Database, payload: unknown) =>
    db.query<{ tenant_id: string; time_zone: string; duplicates: string[] }>(
      "select * from analytics_ingest($1::json)",
      [JSON.stringify(payload)],
    ),
  /** Tenants with events not yet folded into the rollups (migration 0059), oldest fold first. */
  analyticsFoldDue: (db: Database, limit: number) =>
    db.query<{ tenant_id: string }>("select * from analytics_fold_due($1)", [limit]),
  /** CSV imports running with no progress for `quietMinutes` (their queue message was lost). */
  stuckLeadImports: (db: Database, quietMinutes: number, limit: number) =>
    db.query<{ tenant_id: string; import_id: string }>(
      "select * from lead_imports_stuck(make_interval(mins => $1), $2)",
      [quietMinutes, limit],
    ),
  /** The workspace of a plugin install, for its unauthenticated inbound webhooks. */
  pluginInstallTenant: async (db: Database, installId: string) =>
    (
      await db.query<{ tenant_id: string | null }>("select plugin_install_tenant($1) as tenant_id", [
        installId,
      ])
    )[0]?.tenant_id ?? null,
  /** The workspace whose inbound email address has this local part (before the @). */
  inboundEmailTenant: async (db: Database, localPart: string) =>
    (
      await db.query<{ tenant_id: string | null }>("select inbound_email_tenant($1) as tenant_id", [
        localPart,
      ])
    )[0]?.tenant_id ?? null,
  /** The workspace of a lead intake (the inbound lead webhook's public id). */
  leadIntakeTenant: async (db: Database, intakeId: string) =>
    (
      await db.query<{ tenant_id: string | null }>("select lead_intake_tenant($1) as tenant_id", [intakeId])
    )[0]?.tenant_id ?? null,
  /** Workspaces with webhook deliveries older than `days` (the delivery log's retention). */
  webhookDeliveriesDue: async (db: Database, days: number, limit: number) =>
    (
      await db.query<{ tenant_id: string }>("select * from webhook_deliveries_due($1, $2)", [days, limit])
    ).map((r) => r.tenant_id),
  /** Workspaces with channel message ids older than `days` (receipts come within days, not months). */
  channelMessagesDue: async (db: Database, days: number, limit: number) =>
    (await db.query<{ tenant_id: string }>("select * from channel_messages_due($1, $2)", [days, limit])).map(
      (r) => r.tenant_id,
    ),
  /** Workspaces with deletion tombstones older than `days`. */
  recordTombstonesDue: async (db: Database, days: number, limit: number) =>
    (await db.query<{ tenant_id: string }>("select * from record_tombstones_due($1, $2)", [days, limit])).map(
      (r) => r.tenant_id,
    ),
  /** Plugin schedules due now, of active installs. */
  pluginSchedulesDue: (db: Database, limit: number) =>
    db.query<{ tenant_id: string; install_id: string; name: string }>(
      "select * from plugin_schedules_due($1)",
      [limit],
    ),
  /** Workspaces with plugin calls older than `days`. */
  pluginCallsDue: async (db: Database, days: number, limit: number) =>
    (await db.query<{ tenant_id: string }>("select * from plugin_calls_due($1, $2)", [days, limit])).map(
      (r) => r.tenant_id,
    ),
  /** How many workspaces run each version of these listed plugins. */
  marketplaceInstallCounts: async (db: Database, pluginIds: string[]) =>
    (
      await db.query<{ plugin_id: string; version: string; installs: string }>(
        "select * from marketplace_install_counts($1)",
        [pluginIds],
      )
    ).map((r) => ({ pluginId: r.plugin_id, version: r.version, installs: Number(r.installs) })),
  /** The marketplace installs of a plugin (of one version, or of any). */
  marketplaceInstallsOf: async (db: Database, pluginId: string, version: string | null) =>
    (
      await db.query<{ tenant_id: string; install_id: string; version: string; auto_upgrade: boolean }>(
        "select * from marketplace_installs_of($1, $2)",
        [pluginId, version],
      )
    ).map((r) => ({
      tenantId: r.tenant_id,
      installId: r.install_id,
      version: r.version,
      autoUpgrade: r.auto_upgrade,
    })),
  /** Failures of these listed plugins since a time, by version and code: counts only. */
  marketplacePluginErrors: async (db: Database, pluginIds: string[], since: Date) =>
    (
      await db.query<{
        plugin_id: string;
        version: string;
        code: string | null;
        failures: string;
        installs: string;
        last_at: Date | string;
      }>("select * from marketplace_plugin_errors($1, $2)", [pluginIds, since.toISOString()])
    ).map((r) => ({
      pluginId: r.plugin_id,
      version: r.version,
      code: r.code ?? "unknown",
      failures: Number(r.failures),
      installs: Number(r.installs),
      lastAt: new Date(r.last_at).toISOString(),
    })),
};
