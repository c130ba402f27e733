import {
  type ActivityKind,
  activities,
  type Database,
  deals,
  leads,
  type Tx,
  withTenant,
} from "@autopilot/db";
import { and, desc, eq, type SQL } from "drizzle-orm";
import { recordEvent } from "../../events/outbox.js";
import { actingUserId, eventActor, type SalesActor } from "../crm/actor.js";
import { getCompanyRow } from "../crm/companies.js";
import { getContactRow } from "../crm/contacts.js";
import { AppError, notFound } from "../errors.js";
import { touchLead } from "../leads/leads.js";
import { getDealRow } from "./deals.js";

const view = (a: typeof activities.$inferSelect) => ({
  id: a.id,
  kind: a.kind,
  subject: a.subject,
  body: a.body,
  contactId: a.contactId,
  companyId: a.companyId,
  leadId: a.leadId,
  dealId: a.dealId,
  ownerId: a.ownerId,
  occurredAt: a.occurredAt.toISOString(),
  dueAt: a.dueAt?.toISOString() ?? null,
  remindAt: a.remindAt?.toISOString() ?? null,
  completedAt: a.completedAt?.toISOString() ?? null,
  createdAt: a.createdAt.toISOString(),
});
export type ActivityView = ReturnType<typeof view>;

export type NewActivity = {
  kind: ActivityKind;
  subject?: string;
  body?: string;
  contactId?: string;
  companyId?: string;
  leadId?: string;
  dealId?: string;
  ownerId?: string | null;
  occurredAt?: string;
  dueAt?: string | null;
  remindAt?: string | null;
};

/**
 * Logs an activity (call, email, meeting, note) or creates a task (due date, reminder). It counts as
 * a touch: the deal's last activity moves (and its stale flag clears), the lead's first-touch SLA stops.
 */
export async function insertActivity(tx: Tx, actor: SalesActor, input: NewActivity) {
  if (!input.contactId && !input.companyId && !input.leadId && !input.dealId) {
    throw new AppError(
      "invalid_request",
      "contactId: attach the activity to a contact, company, lead or deal",
    );
  }
  if (input.kind !== "task" && (input.dueAt || input.remindAt)) {
    throw new AppError("invalid_request", "dueAt: only tasks have a due date or reminder");
  }
  if (input.contactId) await getContactRow(tx, input.contactId);
  if (input.companyId) await getCompanyRow(tx, input.companyId);
  if (input.dealId) await getDealRow(tx, input.dealId);
  if (input.leadId) {
    const [lead] = await tx.select({ id: leads.id }).from(leads).where(eq(leads.id, input.leadId));
    if (!lead) throw notFound("lead");
  }
  const now = new Date();
  const [row] = await tx
    .insert(activities)
    .values({
      tenantId: actor.tenantId,
      kind: input.kind,
      subject: input.subject ?? "",
      body: input.body ?? "",
      contactId: input.contactId ?? null,
      companyId: input.companyId ?? null,
      leadId: input.leadId ?? null,
      dealId: input.dealId ?? null,
      ownerId: input.ownerId === undefined ? actingUserId(actor) : input.ownerId,
      occurredAt: input.occurredAt ? new Date(input.occurredAt) : now,
      dueAt: input.dueAt ? new Date(input.dueAt) : null,
      remindAt: input.remindAt ? new Date(input.remindAt) : null,
    })
    .returning();
  if (!row) throw new Error("activity insert returned nothing");
  if (input.dealId)
    await tx
      .update(deals)
      .set({ lastActivityAt: now, staleFlaggedAt: null })
      .where(eq(deals.id, input.dealId));
  if (input.leadId && input.kind !== "task" && input.kind !== "note") await touchLead(tx, input.leadId, now);
  await recordEvent(tx, {
    type: "activity.logged",
    tenantId: actor.tenantId,
    actor: eventActor(actor),
    subjects: {
      activity: row.id,
      ...(row.contactId ? { contact: row.contactId } : {}),
      ...(row.leadId ? { lead: row.leadId } : {}),
      ...(row.dealId ? { deal: row.dealId } : {}),
    },
    properties: { kind: row.kind, ownerId: row.ownerId },
  });
  return view(row);
}

export const createActivity = (db: Database, actor: SalesActor, input: NewActivity) =>
  withTenant(db, actor.tenantId, (tx) => insertActivity(tx, actor, input));

export async function completeActivity(db: Database, actor: SalesActor, id: string, completed: boolean) {
  return withTenant(db, actor.tenantId, async (tx) => {
    const [row] = await tx
      .update(activities)
      .set({ completedAt: completed ? new Date() : null })
      .where(eq(activities.id, id))
      .returning();
    if (!row) throw notFound("activity");
    return view(row);
  });
}

export async function listActivities(
  db: Database,
  tenantId: string,
  f: {
    contactId?: string;
    leadId?: string;
    dealId?: string;
    kind?: ActivityKind;
    openTasks?: boolean;
    limit: number;
  },
) {
  const where: (SQL | undefined)[] = [];
  if (f.contactId) where.push(eq(activities.contactId, f.contactId));
  if (f.leadId) where.push(eq(activities.leadId, f.leadId));
  if (f.dealId) where.push(eq(activities.dealId, f.dealId));
  if (f.kind) where.push(eq(activities.kind, f.kind));
  return withTenant(db, tenantId, async (tx) => {
    const rows = await tx
      .select()
      .from(activities)
      .where(and(...where))
      .orderBy(desc(activities.occurredAt))
      .limit(f.limit);
    return rows.filter((a) => !f.openTasks || (a.kind === "task" && !a.completedAt)).map(view);
  });
}
