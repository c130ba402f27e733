import {
  activities,
  assignmentDecisions,
  companies,
  contacts,
  type Database,
  deals,
  leadEvents,
  leads,
  type Tx,
  withTenant,
} from "@autopilot/db";
import { eq, inArray, or } from "drizzle-orm";
import { AppError } from "../../http/errors.js";
import { audit } from "../audit.js";
import type { SalesActor } from "./actor.js";
import { contactView, getContactRow } from "./contacts.js";

/** A contact and the contacts merged into it: GDPR requests cover all of a person's records. */
async function personIds(tx: Tx, contactId: string): Promise<string[]> {
  const merged = await tx
    .select({ id: contacts.id })
    .from(contacts)
    .where(eq(contacts.mergedIntoId, contactId));
  return [contactId, ...merged.map((m) => m.id)];
}

/** Everything stored about a person, as JSON (GDPR art. 15 / 20). */
export async function exportContact(db: Database, actor: SalesActor, contactId: string) {
  return withTenant(db, actor.tenantId, async (tx) => {
    const contact = await getContactRow(tx, contactId);
    const ids = await personIds(tx, contactId);
    const records = await tx.select().from(contacts).where(inArray(contacts.id, ids));
    const company = contact.companyId
      ? ((await tx.select().from(companies).where(eq(companies.id, contact.companyId)))[0] ?? null)
      : null;
    const leadRows = await tx.select().from(leads).where(inArray(leads.contactId, ids));
    const leadIds = leadRows.map((l) => l.id);
    const events = leadIds.length
      ? await tx.select().from(leadEvents).where(inArray(leadEvents.leadId, leadIds))
      : [];
    const decisions = leadIds.length
      ? await tx.select().from(assignmentDecisions).where(inArray(assignmentDecisions.leadId, leadIds))
      : [];
    const dealRows = await tx.select().from(deals).where(inArray(deals.contactId, ids));
    const dealIds = dealRows.map((d) => d.id);
    const acts = await tx
      .select()
      .from(activities)
      .where(
        or(
          inArray(activities.contactId, ids),
          leadIds.length ? inArray(activities.leadId, leadIds) : undefined,
          dealIds.length ? inArray(activities.dealId, dealIds) : undefined,
        ),
      );
    await audit(tx, actor, "contact.exported", { type: "contact", id: contactId });
    return {
      exportedAt: new Date().toISOString(),
      contact: contactView(contact),
      mergedRecords: records.filter((r) => r.id !== contactId).map(contactView),
      company,
      leads: leadRows,
      leadEvents: events,
      assignmentDecisions: decisions,
      deals: dealRows,
      activities: acts,
      // Conversation transcripts join here once conversations are stored (issue 4).
      conversations: [] as unknown[],
    };
  });
}

/**
 * The seam for conversation data: when conversations and messages are stored (issue 4), this must
 * scrub the person's transcripts and the PII in their events. Nothing to scrub yet.
 */
export async function eraseConversationData(_tx: Tx, _contactIds: readonly string[]): Promise<void> {}

const ERASED = "[erased]";

/**
 * Erases a person (GDPR art. 17): PII is scrubbed from the contact, the contacts merged into it,
 * their leads (title, attributes, signals), lead events, and the text of linked activities; deals
 * keep their amounts (business records) but lose their titles. Ids stay so reports still add up.
 */
export async function eraseContact(db: Database, actor: SalesActor, contactId: string) {
  return withTenant(db, actor.tenantId, async (tx) => {
    const contact = await getContactRow(tx, contactId);
    if (contact.mergedIntoId) throw new AppError(409, "merged", "erase the contact it was merged into");
    const ids = await personIds(tx, contactId);
    const now = new Date();
    await tx
      .update(contacts)
      .set({
        name: "",
        email: null,
        emailNormalized: null,
        phone: null,
        phoneE164: null,
        attributes: {},
        tags: [],
        consent: { email: false, sms: false, tracking: false, updatedAt: now.toISOString() },
        source: null,
        erasedAt: now,
      })
      .where(inArray(contacts.id, ids));
    const leadRows = await tx
      .update(leads)
      .set({ title: ERASED, attributes: {}, signals: {}, disqualifyReason: null })
      .where(inArray(leads.contactId, ids))
      .returning({ id: leads.id });
    const leadIds = leadRows.map((l) => l.id);
    if (leadIds.length)
      await tx.update(leadEvents).set({ data: {} }).where(inArray(leadEvents.leadId, leadIds));
    const dealRows = await tx
      .update(deals)
      .set({ title: ERASED, wonReason: null, lostReason: null })
      .where(inArray(deals.contactId, ids))
      .returning({ id: deals.id });
    const dealIds = dealRows.map((d) => d.id);
    await tx
      .update(activities)
      .set({ subject: ERASED, body: "" })
      .where(
        or(
          inArray(activities.contactId, ids),
          leadIds.length ? inArray(activities.leadId, leadIds) : undefined,
          dealIds.length ? inArray(activities.dealId, dealIds) : undefined,
        ),
      );
    await eraseConversationData(tx, ids);
    await audit(tx, actor, "contact.erased", { type: "contact", id: contactId }, { records: ids.length });
    return { erased: ids.length, leads: leadIds.length, deals: dealIds.length };
  });
}
