import {
  activities,
  companies,
  contacts,
  conversations,
  type Database,
  deals,
  leads,
  withTenant,
} from "@autopilot/db";
import { eq, sql } from "drizzle-orm";
import { audit } from "../audit.js";
import { AppError } from "../errors.js";
import type { SalesActor } from "./actor.js";
import { type CompanyView, companyView, getCompanyRow } from "./companies.js";
import { type ContactView, contactView, getContactRow } from "./contacts.js";

export const MERGEABLE_FIELDS = ["name", "email", "phone", "companyId", "source"] as const;
export type MergeableField = (typeof MERGEABLE_FIELDS)[number];

const blank = (v: unknown) => v === null || v === undefined || v === "";

type MergeableRow = { attributes: Record<string, unknown> };

/**
 * Field-by-field choice shared by contact and company merges: the survivor's value unless the caller
 * prefers the duplicate's (and it has one) or the survivor's is blank; attributes merged the same way.
 */
function mergedValues<R extends MergeableRow, F extends keyof R & string>(
  survivor: R,
  dup: R,
  prefer: Partial<Record<F | "attributes", "survivor" | "duplicate">>,
) {
  const pick = <K extends F>(field: K): R[K] =>
    prefer[field] === "duplicate" && !blank(dup[field])
      ? dup[field]
      : blank(survivor[field])
        ? dup[field]
        : survivor[field];
  const attributes =
    prefer.attributes === "duplicate"
      ? { ...survivor.attributes, ...dup.attributes }
      : { ...dup.attributes, ...survivor.attributes };
  return { pick, attributes };
}

/**
 * Merges `duplicateId` into `survivorId`, field by field: the survivor's value wins unless it is
 * blank or `prefer` names the duplicate for that field. Attributes merge key by key the same way,
 * tags are united, the newer consent is kept. Every lead, deal and activity of the duplicate moves to
 * the survivor, so none is lost; the duplicate stays as a pointer (merged_into_id) for old links.
 */
export async function mergeContacts(
  db: Database,
  actor: SalesActor,
  survivorId: string,
  duplicateId: string,
  prefer: Partial<Record<MergeableField | "attributes", "survivor" | "duplicate">> = {},
): Promise<{
  contact: ContactView;
  moved: { leads: number; deals: number; activities: number; conversations: number };
}> {
  if (survivorId === duplicateId)
    throw new AppError("invalid_request", "duplicateId: must differ from the survivor");
  return withTenant(db, actor.tenantId, async (tx) => {
    // Lock both rows, in id order so two opposite merges cannot deadlock.
    await tx.execute(
      sql`select id from contacts where id in (${survivorId}, ${duplicateId}) order by id for update`,
    );
    const survivor = await getContactRow(tx, survivorId);
    const dup = await getContactRow(tx, duplicateId);
    if (survivor.mergedIntoId || dup.mergedIntoId) {
      throw new AppError("already_merged", "one of the contacts was already merged");
    }
    const { pick, attributes } = mergedValues(survivor, dup, prefer);
    const email = pick("email");
    const phone = pick("phone");
    const fromDup = (field: "email" | "phone") =>
      field === "email" ? email === dup.email : phone === dup.phone;
    const newerConsent =
      (dup.consent.updatedAt ?? "") > (survivor.consent.updatedAt ?? "") ? dup.consent : survivor.consent;

    // The duplicate leaves the unique indexes first, so its email/phone can pass to the survivor.
    await tx.update(contacts).set({ mergedIntoId: survivorId }).where(eq(contacts.id, duplicateId));
    const moved = {
      leads: (
        await tx
          .update(leads)
          .set({ contactId: survivorId })
          .where(eq(leads.contactId, duplicateId))
          .returning({ id: leads.id })
      ).length,
      deals: (
        await tx
          .update(deals)
          .set({ contactId: survivorId })
          .where(eq(deals.contactId, duplicateId))
          .returning({ id: deals.id })
      ).length,
      activities: (
        await tx
          .update(activities)
          .set({ contactId: survivorId })
          .where(eq(activities.contactId, duplicateId))
          .returning({ id: activities.id })
      ).length,
      conversations: (
        await tx
          .update(conversations)
          .set({ contactId: survivorId })
          .where(eq(conversations.contactId, duplicateId))
          .returning({ id: conversations.id })
      ).length,
    };
    const [row] = await tx
      .update(contacts)
      .set({
        name: pick("name"),
        email,
        emailNormalized: fromDup("email") ? dup.emailNormalized : survivor.emailNormalized,
        phone,
        phoneE164: fromDup("phone") ? dup.phoneE164 : survivor.phoneE164,
        companyId: pick("companyId"),
        source: pick("source"),
        attributes,
        tags: [...new Set([...survivor.tags, ...dup.tags])],
        consent: newerConsent,
      })
      .where(eq(contacts.id, survivorId))
      .returning();
    if (!row) throw new Error("merge update returned nothing");
    await audit(tx, actor, "contact.merged", { type: "contact", id: survivorId }, { duplicateId, moved });
    return { contact: contactView(row), moved };
  });
}

export const MERGEABLE_COMPANY_FIELDS = ["name", "domain"] as const;
export type MergeableCompanyField = (typeof MERGEABLE_COMPANY_FIELDS)[number];

/**
 * Merges company `duplicateId` into `survivorId`, like mergeContacts: field by field (the survivor's
 * value unless blank or `prefer` names the duplicate), attributes key by key, tags united. Every
 * contact, lead, deal and activity of the duplicate moves to the survivor; the duplicate stays as a
 * pointer (merged_into_id) and leaves the domain index, so its domain can pass to the survivor.
 */
export async function mergeCompanies(
  db: Database,
  actor: SalesActor,
  survivorId: string,
  duplicateId: string,
  prefer: Partial<Record<MergeableCompanyField | "attributes", "survivor" | "duplicate">> = {},
): Promise<{
  company: CompanyView;
  moved: { contacts: number; leads: number; deals: number; activities: number };
}> {
  if (survivorId === duplicateId)
    throw new AppError("invalid_request", "duplicateId: must differ from the survivor");
  return withTenant(db, actor.tenantId, async (tx) => {
    await tx.execute(
      sql`select id from companies where id in (${survivorId}, ${duplicateId}) order by id for update`,
    );
    const survivor = await getCompanyRow(tx, survivorId);
    const dup = await getCompanyRow(tx, duplicateId);
    if (survivor.mergedIntoId || dup.mergedIntoId) {
      throw new AppError("already_merged", "one of the companies was already merged");
    }
    const { pick, attributes } = mergedValues(survivor, dup, prefer);
    await tx.update(companies).set({ mergedIntoId: survivorId }).where(eq(companies.id, duplicateId));
    const move = async (table: typeof contacts | typeof leads | typeof deals | typeof activities) =>
      (
        await tx
          .update(table)
          .set({ companyId: survivorId })
          .where(eq(table.companyId, duplicateId))
          .returning({ id: table.id })
      ).length;
    const moved = {
      contacts: await move(contacts),
      leads: await move(leads),
      deals: await move(deals),
      activities: await move(activities),
    };
    const [row] = await tx
      .update(companies)
      .set({
        name: pick("name"),
        domain: pick("domain"),
        attributes,
        tags: [...new Set([...survivor.tags, ...dup.tags])],
      })
      .where(eq(companies.id, survivorId))
      .returning();
    if (!row) throw new Error("merge update returned nothing");
    await audit(tx, actor, "company.merged", { type: "company", id: survivorId }, { duplicateId, moved });
    return { company: companyView(row), moved };
  });
}
