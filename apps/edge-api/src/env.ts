import type { Database } from "@autopilot/db";
import type { LiveStats } from "./analytics/live/live-stats.js";
import type { RateLimiter } from "./durable/rate-limiter.js";
import type { Principal } from "./http/auth.js";
import type { Logger } from "./lib/log.js";

export type Env = {
  DATABASE_URL: string;
  /** host:port of the local WebSocket bridge to Postgres; unset in production. */
  DB_BRIDGE?: string;
  ENVIRONMENT: string;
  /** "dev-outbox": mail is stored in mail_outbox and readable through /v1/dev/mailbox. */
  MAILER: string;
  APP_URL: string;
  RATE_LIMIT_KEY_PER_MIN: string;
  RATE_LIMIT_AUTH_PER_MIN: string;
  EVENTS: Queue;
  RATE_LIMITER: DurableObjectNamespace<RateLimiter>;
  /** Per-tenant live figures (analytics). */
  LIVE_STATS: DurableObjectNamespace<LiveStats>;
};

export type AppEnv = {
  Bindings: Env;
  Variables: {
    requestId: string;
    log: Logger;
    db: Database;
    principal: Principal;
    /** Tenants whose outbox got events in this request: flushed after the response. */
    outboxTenants: Set<string>;
  };
};
