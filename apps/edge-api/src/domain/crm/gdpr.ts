import {
  activities,
  assignmentDecisions,
  companies,
  contacts,
  conversations,
  type Database,
  deals,
  knowledgeUnanswered,
  leadEvents,
  leads,
  messages,
  type Tx,
  withTenant,
} from "@autopilot/db";
import { eq, inArray, or, sql } from "drizzle-orm";
import { audit } from "../audit.js";
import { AppError } from "../errors.js";
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
      conversations: await personConversations(tx, ids),
    };
  });
}

/**
 * The person's conversations: linked to one of their contacts (conversations.contact_id, set by the
 * Conversation DO when it upserts a contact) or to one of their leads (leads.conversation_id, set
 * by createLeadFromForm) — the second covers conversations from before the contact link existed.
 */
async function personConversationIds(tx: Tx, contactIds: readonly string[]): Promise<string[]> {
  if (!contactIds.length) return [];
  const ids = sql.join(
    contactIds.map((id) => sql`${id}::uuid`),
    sql`, `,
  );
  const rows = await tx.execute<{ id: string }>(sql`
    select c.id from conversations c where c.contact_id in (${ids})
    union
    select c.id from conversations c
    join leads l on l.conversation_id = c.id::text
    where l.contact_id in (${ids})`);
  return rows.rows.map((r) => r.id);
}

/** The person's conversations with their messages in order, for the export. */
async function personConversations(tx: Tx, contactIds: readonly string[]) {
  const ids = await personConversationIds(tx, contactIds);
  if (!ids.length) return [];
  const rows = await tx.select().from(conversations).where(inArray(conversations.id, ids));
  const msgs = await tx
    .select({
      id: messages.id,
      conversationId: messages.conversationId,
      seq: messages.seq,
      sender: messages.sender,
      authorId: messages.authorId,
      text: messages.text,
      data: messages.data,
      createdAt: messages.createdAt,
    })
    .from(messages)
    .where(inArray(messages.conversationId, ids))
    .orderBy(messages.conversationId, messages.seq);
  return rows.map((c) => ({ ...c, messages: msgs.filter((m) => m.conversationId === c.id) }));
}

/**
 * Property keys of analytics events that are identifiers or closed vocabularies, not free text:
 * kept on erasure so reports and funnels still add up. Every other string property (a knowledge
 * question, a CSAT comment, a form value…) may quote the person and is replaced.
 */
const STRUCTURAL_PROPERTY = "^(.*Id|.*Ids|channel|mode|status|currency|source|kind|type|stage|category)$";

/**
 * Scrubs a person's conversation data inside the erasure's transaction: message texts and data
 * (the tsvector is generated from the text, so it now indexes only the placeholder), the visitor
 * identifier and last-message preview of their conversations, and the free-text properties and
 * visitor actor id of analytics events about those conversations or the person's leads and deals.
 * Conversation and message ids stay so counts and reports are unchanged. Idempotent.
 */
export async function eraseConversationData(tx: Tx, contactIds: readonly string[]): Promise<void> {
  if (!contactIds.length) return;
  const conversationIds = await personConversationIds(tx, contactIds);
  if (conversationIds.length) {
    await tx
      .update(messages)
      .set({ text: ERASED, data: {} })
      .where(inArray(messages.conversationId, conversationIds));
    await tx
      .update(conversations)
      .set({ visitorId: ERASED, lastMessage: ERASED, csatComment: null })
      .where(inArray(conversations.id, conversationIds));
    // The unanswered-questions list quotes the visitor verbatim: their asks go, not just the text.
    await tx.delete(knowledgeUnanswered).where(inArray(knowledgeUnanswered.conversationId, conversationIds));
  }
  const list = (values: readonly string[]) =>
    sql.join(
      values.map((v) => sql`${v}`),
      sql`, `,
    );
  const contactList = sql.join(
    contactIds.map((id) => sql`${id}::uuid`),
    sql`, `,
  );
  // analytics_events keeps ids as text (events may arrive before the rows they name exist).
  await tx.execute(sql`
    update analytics_events e
    set properties = coalesce((
          select jsonb_object_agg(p.key, case when jsonb_typeof(p.value) = 'string'
                                               and p.key !~ ${STRUCTURAL_PROPERTY}
                                              then to_jsonb(${ERASED}::text) else p.value end)
          from jsonb_each(e.properties) p), '{}'::jsonb),
        actor_id = case when e.actor_type = 'visitor' then null else e.actor_id end
    where ${conversationIds.length ? sql`e.conversation_id in (${list(conversationIds)}) or` : sql``}
          e.lead_id in (select l.id::text from leads l where l.contact_id in (${contactList}))
       or e.deal_id in (select d.id::text from deals d where d.contact_id in (${contactList}))`);
}

const ERASED = "[erased]";

/**
 * Erases a person (GDPR art. 17): PII is scrubbed from the contact, the contacts merged into it,
 * their leads (title, attributes, signals), lead events, and the text of linked activities; deals
 * keep their amounts (business records) but lose their titles. Ids stay so reports still add up.
 */
export async function eraseContact(db: Database, actor: SalesActor, contactId: string) {
  return withTenant(db, actor.tenantId, async (tx) => {
    const contact = await getContactRow(tx, contactId);
    if (contact.mergedIntoId) throw new AppError("merged", "erase the contact it was merged into");
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
