import { sessions, type Tx, userTokens } from "@autopilot/db";
import { randomToken, sha256Hex } from "../lib/crypto.js";

export const SESSION_TTL_MS = 14 * 86_400_000;
export const VERIFY_TTL_MS = 48 * 3_600_000;
export const RESET_TTL_MS = 3_600_000;
export const INVITE_TTL_MS = 7 * 86_400_000;

export type NewSession = { token: string; csrfToken: string; expiresAt: Date };

/** A session for a member; the cookie token and CSRF token are returned once, only hashes are kept. */
export async function insertSession(tx: Tx, tenantId: string, userId: string): Promise<NewSession> {
  const token = randomToken();
  const csrfToken = randomToken();
  const expiresAt = new Date(Date.now() + SESSION_TTL_MS);
  await tx.insert(sessions).values({
    tenantId,
    userId,
    tokenHash: await sha256Hex(token),
    csrfHash: await sha256Hex(csrfToken),
    expiresAt,
  });
  return { token, csrfToken, expiresAt };
}

/** A single-use, expiring token for email verification or password reset. */
export async function insertUserToken(
  tx: Tx,
  tenantId: string,
  userId: string,
  purpose: "verify_email" | "reset_password",
): Promise<string> {
  const token = randomToken();
  const ttl = purpose === "verify_email" ? VERIFY_TTL_MS : RESET_TTL_MS;
  await tx.insert(userTokens).values({
    tenantId,
    userId,
    purpose,
    tokenHash: await sha256Hex(token),
    expiresAt: new Date(Date.now() + ttl),
  });
  return token;
}
