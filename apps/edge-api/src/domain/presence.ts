import {
  type AgentPresence,
  agentPresence,
  type Database,
  memberships,
  type Tx,
  withTenant,
} from "@autopilot/db";
import { eq } from "drizzle-orm";
import { AppError } from "./errors.js";

// Agent presence (online / away / offline) lives in one table, agent_presence: the inbox sets and
// shows it, the teams API sets it for a member, and lead assignment reads it (candidates.ts). A
// member with no row has never said otherwise and counts as online.

/** Sets a member's presence in the caller's tenant transaction. */
export async function writePresence(tx: Tx, tenantId: string, userId: string, status: AgentPresence) {
  await tx
    .insert(agentPresence)
    .values({ tenantId, userId, status })
    .onConflictDoUpdate({
      target: [agentPresence.tenantId, agentPresence.userId],
      set: { status, updatedAt: new Date() },
    });
}

export async function setPresence(db: Database, tenantId: string, userId: string, status: AgentPresence) {
  await withTenant(db, tenantId, async (tx) => {
    const [member] = await tx.select().from(memberships).where(eq(memberships.userId, userId));
    if (!member) throw new AppError("not_found", "userId: not a member of this workspace");
    await writePresence(tx, tenantId, userId, status);
  });
  return { userId, status };
}

export async function listPresence(db: Database, tenantId: string) {
  return withTenant(db, tenantId, async (tx) =>
    (await tx.select().from(agentPresence).where(eq(agentPresence.tenantId, tenantId))).map((p) => ({
      userId: p.userId,
      status: p.status,
      updatedAt: p.updatedAt.toISOString(),
    })),
  );
}
