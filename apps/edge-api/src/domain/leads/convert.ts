import { contacts, type Database, deals, leads, withTenant } from "@autopilot/db";
import { canMoveLead } from "@autopilot/engine";
import { eq } from "drizzle-orm";
import { audit } from "../audit.js";
import type { SalesActor } from "../crm/actor.js";
import { insertDeal } from "../deals/deals.js";
import { AppError, notFound } from "../errors.js";
import { recordStatusChange } from "./status-history.js";
import { leadView } from "./view.js";

// Converting a lead: one deal for it, linked to the lead, its contact and its company (else the
// contact's), owned by the lead's owner, worth the budget the customer gave unless told otherwise;
// the lead becomes converted.
// All in one transaction: never a converted lead without its deal, nor a second deal on a retry.

export type ConvertLead = {
  title?: string;
  pipelineId?: string;
  stageId?: string;
  amount?: number;
  currency?: string;
  expectedCloseDate?: string | null;
};

export async function convertLead(db: Database, actor: SalesActor, id: string, input: ConvertLead) {
  return withTenant(db, actor.tenantId, async (tx) => {
    const [lead] = await tx.select().from(leads).where(eq(leads.id, id)).for("update");
    if (!lead) throw notFound("lead");
    if (lead.status === "converted") {
      const [existing] = await tx.select({ id: deals.id }).from(deals).where(eq(deals.leadId, id)).limit(1);
      throw new AppError(
        "already_converted",
        `status: the lead is converted already${existing ? ` (deal ${existing.id})` : ""}`,
      );
    }
    if (!canMoveLead(lead.status, "converted"))
      throw new AppError("invalid_transition", `status: a ${lead.status} lead cannot be converted`);
    // A lead made for an existing contact may name no company: the contact's is the customer's.
    const [contact] = await tx
      .select({ companyId: contacts.companyId })
      .from(contacts)
      .where(eq(contacts.id, lead.contactId));
    const deal = await insertDeal(tx, actor, {
      title: input.title?.trim() || lead.title || "Deal",
      pipelineId: input.pipelineId,
      stageId: input.stageId,
      amount: input.amount ?? lead.signals.budget ?? 0,
      currency: input.currency,
      expectedCloseDate: input.expectedCloseDate,
      ownerId: lead.ownerId ?? undefined,
      contactId: lead.contactId,
      companyId: lead.companyId ?? contact?.companyId ?? null,
      leadId: lead.id,
    });
    const [updated] = await tx
      .update(leads)
      .set({ status: "converted", slaDueAt: null })
      .where(eq(leads.id, id))
      .returning();
    if (!updated) throw new Error("lead update returned nothing");
    await recordStatusChange(tx, actor, {
      leadId: id,
      contactId: lead.contactId,
      from: lead.status,
      to: "converted",
      reason: `converted into the deal "${deal.title}"`,
    });
    await audit(tx, actor, "lead.converted", { type: "lead", id }, { dealId: deal.id });
    return { lead: leadView(updated), deal };
  });
}
