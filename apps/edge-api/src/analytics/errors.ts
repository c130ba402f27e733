import { pgErrorCode } from "@autopilot/db";

/**
 * Whether a failed insert is worth retrying as is. Deterministic failures (bad data, a constraint, a
 * tenant that no longer exists) fail the same way every time, so they are isolated instead; anything
 * else — connection loss, deadlock, serialization, overload, an error with no SQLSTATE (network) — is
 * transient.
 */
export function isTransientDbError(error: unknown): boolean {
  const code = pgErrorCode(error);
  if (!code) return true;
  const cls = code.slice(0, 2);
  return ["08", "40", "53", "55", "57", "58", "XX"].includes(cls);
}

/** Queue retry delay: 2, 4, 8… seconds by attempt, capped at 5 minutes. */
export function retryDelaySeconds(attempts: number): number {
  return Math.min(300, 2 ** Math.max(1, Math.min(attempts, 9)));
}
