import type { Database } from "@autopilot/db";
import type { WorkersAiBinding } from "./ai/workers-ai.js";
import type { LiveStats } from "./analytics/live/live-stats.js";
import type { ConversationDO } from "./conversations/conversation-do.js";
import type { Principal } from "./domain/principal.js";
import type { AiBudget } from "./durable/ai-budget.js";
import type { ApiKeyGate } from "./durable/api-key-gate.js";
import type { AssignmentCoordinator } from "./durable/assignment-coordinator.js";
import type { RateLimiter } from "./durable/rate-limiter.js";
import type { Logger } from "./lib/log.js";
import type { Developer } from "./marketplace/developers.js";
import type { VisitorClaims } from "./widget/visitor-token.js";

export type Env = {
  DATABASE_URL: string;
  /** host:port of the local WebSocket bridge to Postgres; unset in production. */
  DB_BRIDGE?: string;
  /** "dev-outbox": mail is stored in mail_outbox and readable through /v1/dev/mailbox. */
  /** The mail transport; "dev-outbox" (local development only) or unset (no mail is sent). */
  MAILER?: string;
  APP_URL: string;
  /** Where providers reach this API (plugins' webhook URLs); unset: the request's own origin. */
  PUBLIC_API_URL?: string;
  RATE_LIMIT_KEY_PER_MIN: string;
  RATE_LIMIT_AUTH_PER_MIN: string;
  EVENTS: Queue;
  RATE_LIMITER: DurableObjectNamespace<RateLimiter>;
  /** One object per API key prefix: verifies, caches and rate-limits the key. */
  API_KEY_GATE: DurableObjectNamespace<ApiKeyGate>;
  /** One object per tenant and team: serialises lead assignment (fair round-robin). */
  ASSIGNMENT_COORDINATOR: DurableObjectNamespace<AssignmentCoordinator>;
  /** One object per conversation (name: `${tenantId}:${conversationId}`). */
  CONVERSATION: DurableObjectNamespace<ConversationDO>;
  /** One object per tenant: the daily AI token budget. */
  AI_BUDGET: DurableObjectNamespace<AiBudget>;
  /** HMAC secret for widget visitor tokens (a secret in production). */
  VISITOR_TOKEN_SECRET: string;
  /** 32 bytes, base64: AES-GCM key for tenants' AI provider keys (a secret in production). */
  AI_MASTER_KEY?: string;
  /** Workers AI (`[ai] binding = "AI"` in wrangler.toml), for tenants whose provider is "workers-ai". */
  AI?: WorkersAiBinding;
  AI_TIMEOUT_MS?: string;
  AI_RETRIES?: string;
  WIDGET_VISITOR_PER_MIN?: string;
  WIDGET_TENANT_PER_MIN?: string;
  CONVERSATION_INACTIVITY_MINUTES?: string;
  CONVERSATION_DB_TIMEOUT_MS?: string;
  SLA_FIRST_RESPONSE_MINUTES?: string;
  /** Knowledge base crawl jobs (knowledge/consumer.ts). */
  KNOWLEDGE_CRAWL: Queue;
  /** "1" lets sources point at loopback/private hosts (tests' fixture site); never in production. */
  LOCAL_DEVELOPMENT?: string;
  /** "1": believe CF-Connecting-IP in local development too (tests only; see http/rate-limit.ts). */
  TRUST_CLIENT_IP?: string;
  KNOWLEDGE_FETCH_TIMEOUT_MS?: string;
  KNOWLEDGE_CRAWL_DELAY_MS?: string;
  KNOWLEDGE_MAX_PAGE_BYTES?: string;
  /** Lowers the document/catalogue upload limit (10 MB); tests use a small one. */
  KNOWLEDGE_MAX_UPLOAD_BYTES?: string;
  /** CSV lead imports, run as jobs (domain/leads/import-consumer.ts). */
  LEAD_IMPORTS: Queue;
  PLUGIN_DELIVERIES: Queue;
  /** Outbound webhook deliveries (webhooks/deliveries.ts). */
  WEBHOOK_DELIVERIES: Queue;
  /** The domain of workspaces' inbound email addresses (Email Routing sends it to this worker). */
  INBOUND_EMAIL_DOMAIN?: string;
  /** Rows one import job slice handles before queueing the next (default 5000; tests use less). */
  IMPORT_SLICE_ROWS?: string;
  /** Days set-aside (rejected) events are kept before the cron deletes them (default 30). */
  EVENTS_REJECTED_RETENTION_DAYS?: string;
  /** Per-tenant live figures (analytics). */
  LIVE_STATS: DurableObjectNamespace<LiveStats>;
  LOADER: WorkerLoader;
  PLUGIN_BUNDLES: R2Bucket;
  /**
   * Platform staff (the marketplace's reviewers): comma-separated emails of users who, once their
   * email is verified, may approve or reject plugin versions and verify developers. Outside every tenant.
   */
  PLATFORM_OPERATORS?: string;
};

export type AppEnv = {
  Bindings: Env;
  Variables: {
    requestId: string;
    log: Logger;
    db: Database;
    principal: Principal;
    /** The widget visitor, on /v1/widget routes (from a signed visitor token). */
    visitor: VisitorClaims;
    /** The developer, on /v1/developer routes (a signed-in user, or a CLI token for publishing). */
    developer: Developer;
    /** Tenants whose outbox got events in this request: flushed after the response. */
  };
};
