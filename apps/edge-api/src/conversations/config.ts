import type { Env } from "../env.js";

// Tunables of conversations, read from optional bindings with defaults that suit production.

const num = (v: string | undefined, fallback: number) => {
  const n = Number(v);
  return v !== undefined && Number.isFinite(n) && n > 0 ? n : fallback;
};

export function conversationConfig(env: Env) {
  return {
    inactivityMs: num(env.CONVERSATION_INACTIVITY_MINUTES, 30) * 60_000,
    slaMs: num(env.SLA_FIRST_RESPONSE_MINUTES, 5) * 60_000,
    aiTimeoutMs: num(env.AI_TIMEOUT_MS, 8000),
    /** Database work inside a turn waits at most this long; then the turn goes on (actions from the outbox). */
    dbTimeoutMs: num(env.CONVERSATION_DB_TIMEOUT_MS, 3000),
    aiRetries: num(env.AI_RETRIES, 2),
    visitorPerMinute: num(env.WIDGET_VISITOR_PER_MIN, 30),
    tenantPerMinute: num(env.WIDGET_TENANT_PER_MIN, 6000),
  };
}
