import {
  assignmentDecisions,
  type Database,
  type LeadStatus,
  leadEvents,
  leads,
  type Tx,
  withTenant,
} from "@autopilot/db";
import { canMoveLead } from "@autopilot/engine";
import { and, desc, eq, gte, isNull, type SQL } from "drizzle-orm";
import { audit } from "../audit.js";
import type { SalesActor } from "../crm/actor.js";
import { checkAttributes } from "../crm/attributes.js";
import { listPage, type SortSpec } from "../crm/pagination.js";
import { AppError, notFound } from "../errors.js";
import { insertLead, type NewLead } from "./create-lead.js";
import { rescoreLead } from "./rescore.js";
import { recordStatusChange, statusHistory } from "./status-history.js";
import { leadView } from "./view.js";

export async function createLead(db: Database, actor: SalesActor, input: NewLead) {
  return withTenant(db, actor.tenantId, async (tx) => leadView(await insertLead(tx, actor, input)));
}

export async function getLeadRow(tx: Tx, id: string) {
  const [row] = await tx.select().from(leads).where(eq(leads.id, id));
  if (!row) throw notFound("lead");
  return row;
}

export async function getLead(db: Database, tenantId: string, id: string) {
  return withTenant(db, tenantId, async (tx) => leadView(await getLeadRow(tx, id)));
}

export type LeadUpdate = {
  title?: string;
  status?: LeadStatus;
  disqualifyReason?: string;
  attributes?: Record<string, unknown>;
  signals?: NewLead["signals"];
  territory?: string | null;
  language?: string | null;
  product?: string | null;
};

/**
 * Updates a lead. A status change is checked against the lifecycle (closed leads stay closed;
 * disqualifying needs a reason); changed attributes or signals rescore the lead.
 */
export async function updateLead(db: Database, actor: SalesActor, id: string, input: LeadUpdate) {
  return withTenant(db, actor.tenantId, async (tx) => {
    const lead = await getLeadRow(tx, id);
    if (input.status && !canMoveLead(lead.status, input.status)) {
      throw new AppError("invalid_transition", `status: a ${lead.status} lead cannot become ${input.status}`);
    }
    if (input.status === "disqualified" && !input.disqualifyReason) {
      throw new AppError("invalid_request", "disqualifyReason: required to disqualify a lead");
    }
    await checkAttributes(tx, "lead", input.attributes, { creating: false, allowUnknown: true });
    await tx
      .update(leads)
      .set({
        title: input.title ?? lead.title,
        status: input.status ?? lead.status,
        disqualifyReason:
          input.status === "disqualified" ? (input.disqualifyReason ?? null) : lead.disqualifyReason,
        attributes: input.attributes ? { ...lead.attributes, ...input.attributes } : lead.attributes,
        signals: input.signals ? { ...lead.signals, ...input.signals } : lead.signals,
        territory: input.territory === undefined ? lead.territory : input.territory,
        language: input.language === undefined ? lead.language : input.language,
        product: input.product === undefined ? lead.product : input.product,
        // A closed lead no longer waits for a first touch.
        ...(input.status === "converted" || input.status === "disqualified" ? { slaDueAt: null } : {}),
      })
      .where(eq(leads.id, id));
    if (input.status && input.status !== lead.status) {
      await recordStatusChange(tx, actor, {
        leadId: id,
        contactId: lead.contactId,
        from: lead.status,
        to: input.status,
        reason: input.disqualifyReason ?? null,
      });
    }
    await audit(tx, actor, "lead.updated", { type: "lead", id }, { fields: Object.keys(input) });
    return leadView(await rescoreLead(tx, actor, id));
  });
}

/** Records an engagement event and rescores the lead with it. */
export async function addLeadEvent(
  db: Database,
  actor: SalesActor,
  leadId: string,
  input: { type: string; occurredAt?: string; data?: Record<string, unknown> },
) {
  return withTenant(db, actor.tenantId, async (tx) => {
    await getLeadRow(tx, leadId);
    await tx.insert(leadEvents).values({
      tenantId: actor.tenantId,
      leadId,
      type: input.type,
      occurredAt: input.occurredAt ? new Date(input.occurredAt) : new Date(),
      data: input.data ?? {},
    });
    return leadView(await rescoreLead(tx, actor, leadId));
  });
}

/** The owner's first touch: stops the first-touch SLA clock. Later touches change nothing. */
/** An agent marks the first touch (stops the first-touch SLA clock); the lead as it is then. */
export async function markFirstTouch(db: Database, tenantId: string, id: string) {
  return withTenant(db, tenantId, async (tx) => {
    await getLeadRow(tx, id);
    await touchLead(tx, id);
    return leadView(await getLeadRow(tx, id));
  });
}

/** The lead's status changes, oldest first (404 for a lead this tenant does not have). */
export async function leadHistory(db: Database, tenantId: string, id: string) {
  return withTenant(db, tenantId, async (tx) => {
    await getLeadRow(tx, id);
    return statusHistory(tx, id);
  });
}

export async function touchLead(tx: Tx, leadId: string, at = new Date()): Promise<void> {
  await tx
    .update(leads)
    .set({ firstTouchedAt: at, slaDueAt: null })
    .where(and(eq(leads.id, leadId), isNull(leads.firstTouchedAt)));
}

export type LeadFilters = {
  status?: LeadStatus;
  ownerId?: string;
  teamId?: string;
  source?: NewLead["source"];
  minScore?: number;
  contactId?: string;
  sort: "created_at" | "updated_at" | "score";
  order: "asc" | "desc";
  limit: number;
  cursor?: string;
};

export async function listLeads(db: Database, tenantId: string, f: LeadFilters) {
  const column = { created_at: leads.createdAt, updated_at: leads.updatedAt, score: leads.score }[f.sort];
  const spec: SortSpec = {
    column,
    idColumn: leads.id,
    type: f.sort === "score" ? "numeric" : "timestamptz",
    desc: f.order === "desc",
  };
  const where: (SQL | undefined)[] = [];
  if (f.status) where.push(eq(leads.status, f.status));
  if (f.ownerId) where.push(eq(leads.ownerId, f.ownerId));
  if (f.teamId) where.push(eq(leads.teamId, f.teamId));
  if (f.source) where.push(eq(leads.source, f.source));
  if (f.contactId) where.push(eq(leads.contactId, f.contactId));
  if (f.minScore !== undefined) where.push(gte(leads.score, f.minScore));
  return withTenant(db, tenantId, async (tx) => {
    const { items, nextCursor } = await listPage(tx, leads, spec, where, f.cursor, f.limit);
    return { leads: items.map(leadView), nextCursor };
  });
}

export async function listDecisions(db: Database, tenantId: string, leadId: string) {
  return withTenant(db, tenantId, async (tx) => {
    await getLeadRow(tx, leadId);
    const rows = await tx
      .select()
      .from(assignmentDecisions)
      .where(eq(assignmentDecisions.leadId, leadId))
      .orderBy(desc(assignmentDecisions.createdAt))
      .limit(100);
    return rows.map((d) => ({
      id: d.id,
      ruleId: d.ruleId,
      teamId: d.teamId,
      ownerId: d.ownerId,
      strategy: d.strategy,
      reason: d.reason,
      skipped: d.skipped,
      createdAt: d.createdAt.toISOString(),
    }));
  });
}
