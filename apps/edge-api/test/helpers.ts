import { env, SELF } from "cloudflare:test";
import { openDatabase } from "@autopilot/db";

export const BASE = "https://api.test";
let ipCounter = 0;

/** A fresh client IP for each caller, so per-IP auth limits (5/min in tests) only bite where tested. */
export const freshIp = () => `198.51.100.${(ipCounter++ % 250) + 1}`;

export async function call(
  path: string,
  init: { method?: string; body?: unknown; rawBody?: string; headers?: Record<string, string> } = {},
) {
  const headers: Record<string, string> = { "cf-connecting-ip": freshIp(), ...init.headers };
  let body: string | undefined;
  if (init.rawBody !== undefined) body = init.rawBody;
  else if (init.body !== undefined) body = JSON.stringify(init.body);
  if (body !== undefined && !headers["content-type"]) headers["content-type"] = "application/json";
  const res = await SELF.fetch(`${BASE}${path}`, {
    method: init.method ?? (body ? "POST" : "GET"),
    headers,
    body,
  });
  const text = await res.text();
  let json: unknown = null;
  try {
    json = JSON.parse(text);
  } catch {
    json = text;
  }
  // biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary response shapes.
  return { status: res.status, headers: res.headers, json: json as any };
}

export type Session = {
  cookie: string;
  csrf: string;
  tenantId: string;
  userId: string;
  email: string;
  password: string;
  /** Headers for a cookie-authenticated mutation. */
  auth: Record<string, string>;
};

export function sessionFrom(
  res: { headers: Headers; json: { csrfToken: string; tenant: { id: string }; user: { id: string } } },
  email: string,
  password: string,
): Session {
  const cookies = res.headers.getSetCookie();
  const session = cookies.find((c) => c.startsWith("ap_session="));
  if (!session) throw new Error(`no session cookie in ${cookies.join(" | ")}`);
  const cookie = session.split(";")[0] ?? "";
  return {
    cookie,
    csrf: res.json.csrfToken,
    tenantId: res.json.tenant.id,
    userId: res.json.user.id,
    email,
    password,
    auth: { cookie, "x-csrf-token": res.json.csrfToken },
  };
}

let userCounter = 0;
export const uniqueEmail = (tag = "user") =>
  `${tag}-${Date.now().toString(36)}-${userCounter++}@example.test`;

export async function signup(companyName = "Acme"): Promise<Session> {
  const email = uniqueEmail();
  const password = "correct horse battery";
  const res = await call("/v1/auth/signup", { body: { email, password, name: "Ada Owner", companyName } });
  if (res.status !== 201) throw new Error(`signup failed: ${res.status} ${JSON.stringify(res.json)}`);
  return sessionFrom(res, email, password);
}

export async function createKey(
  s: Session,
  role = "admin",
  scopes = ["read", "write"],
): Promise<{ id: string; secret: string }> {
  const res = await call("/v1/api-keys", { body: { name: `key-${role}`, role, scopes }, headers: s.auth });
  if (res.status !== 201) throw new Error(`key create failed: ${res.status} ${JSON.stringify(res.json)}`);
  return { id: res.json.id, secret: res.json.secret };
}

export const bearer = (secret: string) => ({ authorization: `Bearer ${secret}` });

/** Latest dev-outbox mail to `to` (read from the table: tests stand in for the recipient's inbox), and its token. */
export async function mailTokenFor(to: string, kind: string): Promise<string> {
  const db = ownerDb();
  try {
    const rows = await db.query<{ text: string }>(
      'select text from mail_outbox where "to" = $1 and kind = $2 order by created_at desc limit 1',
      [to.toLowerCase(), kind],
    );
    const token = rows[0] && /token=([A-Za-z0-9_-]+)/.exec(rows[0].text)?.[1];
    if (!token) throw new Error(`no ${kind} mail for ${to}`);
    return token;
  } finally {
    await db.end();
  }
}

/** A database handle as the connecting (owner) user, for arranging and inspecting state in tests. */
export function ownerDb() {
  return openDatabase({ url: env.DATABASE_URL, bridge: env.DB_BRIDGE });
}

/** Polls a CSV import (a queue job) until it ends; its last report. */
export async function waitForImport(importId: string, headers: Record<string, string>, seconds = 60) {
  for (let i = 0; i < seconds * 4; i++) {
    const res = await call(`/v1/leads/imports/${importId}`, { headers });
    if (res.status !== 200) throw new Error(`get import: ${res.status}`);
    if (res.json.status !== "running") return res.json;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`import did not finish in ${seconds} s`);
}

/** HMAC-SHA256 of `body` under `secret`, as providers sign webhooks (computed here, not by the code under test). */
export async function hmacSha256Bytes(secret: string, body: string): Promise<Uint8Array> {
  const key = await crypto.subtle.importKey(
    "raw",
    new TextEncoder().encode(secret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  return new Uint8Array(await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(body)));
}

/** Hex HMAC-SHA256 (Meta's X-Hub-Signature-256). */
export const hmacSha256Hex = async (secret: string, body: string) =>
  [...(await hmacSha256Bytes(secret, body))].map((b) => b.toString(16).padStart(2, "0")).join("");
