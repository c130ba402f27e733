import type { Role } from "@autopilot/db";

// Who is calling, and the one access rule every transport applies (HTTP routes, WebSocket frames).
// The HTTP layer (http/auth.ts) finds the principal from a session cookie or an API key.

/** Who is calling: an API key or a signed-in user, always within one tenant. */
export type Principal = {
  kind: "api_key" | "session";
  /** The key's id or the user's id. */
  id: string;
  tenantId: string;
  tenantName: string;
  timeZone: string;
  /** The workspace's language ("en", "de", …): how its people and customers read dates and amounts. */
  locale: string;
  role: Role;
  scopes: string[];
  user?: { id: string; email: string; name: string; emailVerified: boolean };
  sessionId?: string;
};

const ROLE_RANK: Record<Role, number> = { viewer: 0, agent: 1, admin: 2, owner: 3 };
export const roleAtLeast = (role: Role, min: Role) => ROLE_RANK[role] >= ROLE_RANK[min];

/**
 * The one access rule, for every transport (HTTP routes, WebSocket frames): the role must reach `min`,
 * and a write needs the write scope (a read-only API key reads, whatever its role).
 */
export function allows(p: Pick<Principal, "role" | "scopes">, min: Role, access: "read" | "write"): boolean {
  return roleAtLeast(p.role, min) && (access === "read" || p.scopes.includes("write"));
}
