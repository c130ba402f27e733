import { auditLog, type Tx } from "@autopilot/db";
import type { Principal } from "./principal.js";

export async function audit(
  tx: Tx,
  actor:
    | Principal
    | { kind: "system"; id: null; tenantId: string }
    | { kind: "user"; id: string; tenantId: string },
  action: string,
  target: { type: string; id: string },
  data: Record<string, unknown> = {},
): Promise<void> {
  await tx.insert(auditLog).values({
    tenantId: actor.tenantId,
    actorType: actor.kind === "session" ? "user" : actor.kind,
    actorId: actor.id,
    action,
    targetType: target.type,
    targetId: target.id,
    data,
  });
}

export const actorOf = (p: Principal) => ({
  type: p.kind === "session" ? ("user" as const) : ("api_key" as const),
  id: p.id,
});
