import type { Context } from "hono";
import { deleteCookie, setCookie } from "hono/cookie";
import type { SignedIn } from "../domain/auth.js";
import type { AppEnv } from "../env.js";
import { SESSION_COOKIE } from "./auth.js";

export const CSRF_COOKIE = "ap_csrf";

/** Sets the session cookie (HttpOnly) and a readable CSRF cookie the dashboard echoes in a header. */
export function startSession(c: Context<AppEnv>, s: SignedIn) {
  const base = { path: "/", secure: true, sameSite: "Lax" as const, expires: s.expiresAt };
  setCookie(c, SESSION_COOKIE, s.token, { ...base, httpOnly: true });
  setCookie(c, CSRF_COOKIE, s.csrfToken, base);
  return {
    user: { id: s.userId },
    tenant: { id: s.tenantId },
    role: s.role,
    csrfToken: s.csrfToken,
    expiresAt: s.expiresAt.toISOString(),
  };
}

export function endSession(c: Context<AppEnv>): void {
  deleteCookie(c, SESSION_COOKIE, { path: "/", secure: true });
  deleteCookie(c, CSRF_COOKIE, { path: "/", secure: true });
}
