import { type LeadStatus, leadStatusHistory, type Tx } from "@autopilot/db";
import { asc, eq } from "drizzle-orm";
import { recordEvent } from "../../events/outbox.js";
import { actingUserId, eventActor, type SalesActor } from "../crm/actor.js";

// A lead's status changes, wherever they come from (an agent, the score crossing a threshold, a
// conversion): one row of history for the lead page and one lead.status_changed event, together.

export type StatusChange = {
  leadId: string;
  contactId: string;
  from: LeadStatus;
  to: LeadStatus;
  reason: string | null;
  /** A rule moved it (a score threshold), not the acting person: the history says "automatic". */
  automatic?: boolean;
};

export async function recordStatusChange(tx: Tx, actor: SalesActor, change: StatusChange): Promise<void> {
  if (change.from === change.to) return;
  await tx.insert(leadStatusHistory).values({
    tenantId: actor.tenantId,
    leadId: change.leadId,
    fromStatus: change.from,
    toStatus: change.to,
    reason: change.reason,
    changedBy: change.automatic ? null : actingUserId(actor),
  });
  await recordEvent(tx, {
    type: "lead.status_changed",
    tenantId: actor.tenantId,
    actor: eventActor(actor),
    subjects: { lead: change.leadId, contact: change.contactId },
    properties: { from: change.from, to: change.to, reason: change.reason },
  });
}

export type StatusHistoryEntry = {
  from: LeadStatus;
  to: LeadStatus;
  reason: string | null;
  changedBy: string | null;
  changedAt: string;
};

/** Oldest first (row-level security keeps it to the tenant). */
export async function statusHistory(tx: Tx, leadId: string): Promise<StatusHistoryEntry[]> {
  const rows = await tx
    .select()
    .from(leadStatusHistory)
    .where(eq(leadStatusHistory.leadId, leadId))
    .orderBy(asc(leadStatusHistory.changedAt));
  return rows.map((r) => ({
    from: r.fromStatus,
    to: r.toStatus,
    reason: r.reason,
    changedBy: r.changedBy,
    changedAt: r.changedAt.toISOString(),
  }));
}
