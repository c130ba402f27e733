import { lookups, type Role } from "@autopilot/db";
import type { MiddlewareHandler } from "hono";
import { getCookie } from "hono/cookie";
import { AppError } from "../domain/errors.js";
import { allows } from "../domain/principal.js";
import type { AppEnv, Env } from "../env.js";
import { sha256Hex, timingSafeEqual } from "../lib/crypto.js";
import { unavailable } from "./errors.js";
import { applyRateDecision } from "./rate-limit.js";

export const SESSION_COOKIE = "ap_session";
export const CSRF_HEADER = "x-csrf-token";

const unauthorized = (message = "authentication required") => new AppError("unauthorized", message);

/** `ak_<prefix>_<secret>`: the prefix finds the key, the secret's hash proves it. */
export function parseApiKey(token: string): { prefix: string; secret: string } | null {
  const m = /^ak_([a-z0-9]{12})_([A-Za-z0-9_-]{20,100})$/.exec(token);
  return m?.[1] && m[2] ? { prefix: m[1], secret: m[2] } : null;
}

/** The Durable Object that verifies, caches and rate-limits one API key (see durable/api-key-gate.ts). */
export const apiKeyGate = (env: Env, prefix: string) =>
  env.API_KEY_GATE.get(env.API_KEY_GATE.idFromName(prefix));

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);
const accessOf = (method: string) => (SAFE_METHODS.has(method) ? "read" : "write");

export const authenticate: MiddlewareHandler<AppEnv> = async (c, next) => {
  const db = c.get("db");
  const header = c.req.header("authorization");
  if (header) {
    const token = /^Bearer\s+(.+)$/i.exec(header)?.[1]?.trim();
    const parsed = token ? parseApiKey(token) : null;
    if (!parsed) throw unauthorized("malformed API key");
    const limit = Number(c.env.RATE_LIMIT_KEY_PER_MIN);
    const gate = await apiKeyGate(c.env, parsed.prefix).check(
      parsed.prefix,
      await sha256Hex(parsed.secret),
      limit,
    );
    db.stats.roundTrips += gate.dbRoundTrips;
    applyRateDecision(c, limit, gate.rate);
    if (!gate.ok && gate.reason === "unavailable") throw unavailable();
    if (!gate.ok) throw unauthorized(gate.reason === "revoked" ? "API key revoked" : "invalid API key");
    const row = gate.key;
    if (!allows({ role: "viewer", scopes: row.scopes }, "viewer", accessOf(c.req.method))) {
      throw new AppError("forbidden", "this API key is read-only");
    }
    c.set("principal", {
      kind: "api_key",
      id: row.key_id,
      tenantId: row.tenant_id,
      tenantName: row.tenant_name,
      timeZone: row.time_zone,
      locale: row.tenant_locale ?? "en",
      role: row.role,
      scopes: row.scopes,
    });
    return next();
  }
  const cookie = getCookie(c, SESSION_COOKIE);
  if (!cookie) throw unauthorized();
  const row = await lookups.session(db, await sha256Hex(cookie));
  if (!row || new Date(row.expires_at).getTime() < Date.now()) throw unauthorized("session expired");
  // Cookie-authenticated mutations must echo the CSRF token a cross-site page cannot read.
  if (!SAFE_METHODS.has(c.req.method)) {
    const sent = c.req.header(CSRF_HEADER) ?? "";
    if (!sent || !timingSafeEqual(await sha256Hex(sent), row.csrf_hash)) {
      throw new AppError("csrf_failed", `missing or wrong ${CSRF_HEADER} header`);
    }
  }
  c.set("principal", {
    kind: "session",
    id: row.user_id,
    tenantId: row.tenant_id,
    tenantName: row.tenant_name,
    timeZone: row.time_zone,
    locale: row.tenant_locale,
    role: row.role,
    scopes: ["read", "write"],
    user: { id: row.user_id, email: row.email, name: row.user_name, emailVerified: row.email_verified },
    sessionId: row.session_id,
  });
  return next();
};

export const requireRole =
  (min: Role): MiddlewareHandler<AppEnv> =>
  async (c, next) => {
    if (!allows(c.get("principal"), min, accessOf(c.req.method))) {
      throw new AppError("forbidden", `requires the ${min} role or higher`);
    }
    return next();
  };
