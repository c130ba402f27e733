/**
 * What the Conversation Durable Object (issue 4) calls inside a chat turn, for the engine's
 * create_lead / assign / create_deal actions. Plain functions of (db, tenantId, input): each runs in
 * one tenant transaction, writes its events to the outbox in that transaction, and throws AppError
 * (status + code) on bad input or a missing record, or a driver error when the database is down; the
 * DO retries briefly, then queues the action in its own outbox and keeps the reply generic (DESIGN §3).
 * The DO should flush the tenant's outbox afterwards (flushOutbox), as the API does after a response.
 */
import { type Database, type LeadSignals, type Tx, withTenant } from "@autopilot/db";
import { type AssignOptions, assignLead as assignByRules, assignLeadInTx } from "./assignment/assign-lead.js";
import { systemActor } from "./crm/actor.js";
import { type DealView, insertDeal, type NewDeal } from "./deals/deals.js";
import { insertLead } from "./leads/create-lead.js";
import { type LeadView, leadView } from "./leads/view.js";

export type FormLead = {
  conversationId: string;
  routeId?: string | null;
  /** The person, as the form collected them (deduped on email/phone into an existing contact). */
  contact: { name?: string; email?: string | null; phone?: string | null };
  company?: { name: string; domain?: string | null };
  title?: string;
  /** Other collected fields, used by fit scoring and kept on the lead. */
  attributes?: Record<string, unknown>;
  /** BANT signals extracted in the chat. */
  signals?: LeadSignals;
  territory?: string | null;
  language?: string | null;
  product?: string | null;
};

/** create_lead: a lead (source "chat") from a completed chat form, scored at once. */
export async function createLeadFromForm(db: Database, tenantId: string, input: FormLead): Promise<LeadView> {
  return withTenant(db, tenantId, (tx) => createLeadFromFormInTx(tx, tenantId, input));
}

/** createLeadFromForm in the caller's tenant transaction (the DO claims its idempotency key in it). */
export async function createLeadFromFormInTx(tx: Tx, tenantId: string, input: FormLead): Promise<LeadView> {
  const { conversationId, routeId, ...rest } = input;
  return leadView(
    await insertLead(tx, systemActor(tenantId), {
      ...rest,
      source: "chat",
      conversationId,
      routeId: routeId ?? null,
    }),
  );
}

/**
 * assign: runs the assignment rules for a lead and returns the owner (null = fallback queue) with the
 * reason, so the reply can name the owner. Inside a DO the team lock keeps round-robin fair; API
 * callers go through the AssignmentCoordinator (see assignThroughCoordinator).
 */
export async function assignLead(
  db: Database,
  tenantId: string,
  input: { leadId: string } & Pick<AssignOptions, "now" | "random">,
): Promise<{ lead: LeadView; ownerId: string | null; reason: string }> {
  const { leadId, ...opts } = input;
  const { lead, decision } = await assignByRules(db, tenantId, leadId, opts);
  return { lead, ownerId: decision.ownerId, reason: decision.reason };
}

/** assignLead in the caller's tenant transaction; also returns the team the owner was picked from. */
export async function assignLeadInTenantTx(
  tx: Tx,
  tenantId: string,
  input: { leadId: string } & Pick<AssignOptions, "now" | "random">,
): Promise<{ lead: LeadView; ownerId: string | null; teamId: string | null; reason: string }> {
  const { leadId, ...opts } = input;
  const { lead, decision } = await assignLeadInTx(tx, tenantId, leadId, opts);
  return { lead, ownerId: decision.ownerId, teamId: decision.teamId, reason: decision.reason };
}

/** create_deal: a deal in the default pipeline's first open stage unless given. */
export async function createDeal(db: Database, tenantId: string, input: NewDeal): Promise<DealView> {
  return withTenant(db, tenantId, (tx) => createDealInTx(tx, tenantId, input));
}

/** createDeal in the caller's tenant transaction. */
export async function createDealInTx(tx: Tx, tenantId: string, input: NewDeal): Promise<DealView> {
  return insertDeal(tx, systemActor(tenantId), input);
}
