import type { Principal } from "../principal.js";

/** Who makes a sales change: a caller of the API, or the system (cron, the Conversation DO). */
export type SalesActor = Principal | { kind: "system"; id: null; tenantId: string };

export const systemActor = (tenantId: string): SalesActor => ({ kind: "system", id: null, tenantId });

/** The event envelope's actor for a SalesActor. */
export function eventActor(a: SalesActor): { type: "user" | "api_key" | "system"; id: string | null } {
  if (a.kind === "system") return { type: "system", id: null };
  return { type: a.kind === "session" ? "user" : "api_key", id: a.id };
}

/** The acting user's id where there is one (for created_by / changed_by columns). */
export const actingUserId = (a: SalesActor): string | null => (a.kind === "session" ? a.id : null);
