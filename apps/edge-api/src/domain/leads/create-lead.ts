import { type LeadSignals, type LeadSource, leads, type Tx } from "@autopilot/db";
import { recordEvent } from "../../events/outbox.js";
import { audit } from "../audit.js";
import { eventActor, type SalesActor } from "../crm/actor.js";
import { checkAttributes } from "../crm/attributes.js";
import { getCompanyRow } from "../crm/companies.js";
import { getContactRow } from "../crm/contacts.js";
import { upsertCompany, upsertContact } from "../crm/upsert.js";
import { AppError } from "../errors.js";
import { rescoreLead } from "./rescore.js";

export type NewLead = {
  /** An existing contact, or the person's details (deduped on email/phone). One of the two. */
  contactId?: string;
  contact?: { name?: string; email?: string | null; phone?: string | null };
  companyId?: string;
  company?: { name: string; domain?: string | null };
  title?: string;
  source: LeadSource;
  attributes?: Record<string, unknown>;
  signals?: LeadSignals;
  territory?: string | null;
  language?: string | null;
  product?: string | null;
  routeId?: string | null;
  conversationId?: string | null;
};

/**
 * Creates a lead in the caller's transaction: upserts its contact (and company), inserts the lead,
 * scores it, and writes lead.created (plus lead.scored / lead.status_changed) to the outbox.
 */
export async function insertLead(tx: Tx, actor: SalesActor, input: NewLead) {
  let companyId = input.companyId ?? null;
  if (companyId) await getCompanyRow(tx, companyId);
  else if (input.company) companyId = await upsertCompany(tx, actor.tenantId, input.company);
  let contactId = input.contactId;
  if (contactId) await getContactRow(tx, contactId);
  else if (input.contact) {
    contactId = (await upsertContact(tx, actor, { ...input.contact, companyId, source: input.source })).id;
  } else throw new AppError("invalid_request", "contact: give contactId or contact details");
  await checkAttributes(tx, "lead", input.attributes, { creating: true, allowUnknown: true });
  const [lead] = await tx
    .insert(leads)
    .values({
      tenantId: actor.tenantId,
      contactId,
      companyId,
      title: input.title ?? "",
      source: input.source,
      attributes: input.attributes ?? {},
      signals: input.signals ?? {},
      territory: input.territory ?? null,
      language: input.language ?? null,
      product: input.product ?? null,
      routeId: input.routeId ?? null,
      conversationId: input.conversationId ?? null,
    })
    .returning();
  if (!lead) throw new Error("lead insert returned nothing");
  await recordEvent(tx, {
    type: "lead.created",
    tenantId: actor.tenantId,
    actor: eventActor(actor),
    subjects: {
      lead: lead.id,
      contact: contactId,
      ...(input.conversationId ? { conversation: input.conversationId } : {}),
    },
    properties: { source: input.source, routeId: input.routeId ?? null },
  });
  await audit(tx, actor, "lead.created", { type: "lead", id: lead.id }, { source: input.source });
  return rescoreLead(tx, actor, lead.id);
}
