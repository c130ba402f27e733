import {
  type Consent,
  contacts,
  type Database,
  isUniqueViolation,
  pgErrorCode,
  recordTombstones,
  type Tx,
  withTenant,
} from "@autopilot/db";
import { and, arrayContains, eq, ilike, inArray, isNull, or, type SQL } from "drizzle-orm";
import { audit } from "../audit.js";
import { AppError, notFound } from "../errors.js";
import type { SalesActor } from "./actor.js";
import { checkAttributes, rememberTags } from "./attributes.js";
import { normalizeEmail, normalizePhone } from "./normalize.js";
import { listPage, type SortSpec } from "./pagination.js";

type Row = typeof contacts.$inferSelect;

export const contactView = (c: Row) => ({
  id: c.id,
  name: c.name,
  email: c.email,
  phone: c.phone,
  phoneE164: c.phoneE164,
  companyId: c.companyId,
  attributes: c.attributes,
  tags: c.tags,
  consent: c.consent,
  source: c.source,
  mergedIntoId: c.mergedIntoId,
  erasedAt: c.erasedAt?.toISOString() ?? null,
  createdAt: c.createdAt.toISOString(),
  updatedAt: c.updatedAt.toISOString(),
});
export type ContactView = ReturnType<typeof contactView>;

export type ContactInput = {
  name?: string;
  email?: string | null;
  phone?: string | null;
  companyId?: string | null;
  attributes?: Record<string, unknown>;
  tags?: string[];
  consent?: Partial<Omit<Consent, "updatedAt">>;
  source?: string | null;
};

/** Normalised dedupe keys for an input; a phone that is given but not valid is a 400. */
export function dedupeKeys(input: { email?: string | null; phone?: string | null }) {
  const phoneE164 = input.phone ? normalizePhone(input.phone) : null;
  if (input.phone && !phoneE164) {
    throw new AppError("invalid_request", "phone: not a valid phone number (use international format, +…)");
  }
  return { emailNormalized: normalizeEmail(input.email), phoneE164 };
}

/** The live contact (not merged away) with this email or phone, if any. */
export async function findDuplicate(
  tx: Tx,
  keys: { emailNormalized: string | null; phoneE164: string | null },
  exceptId?: string,
): Promise<Row | null> {
  const match: SQL[] = [];
  if (keys.emailNormalized) match.push(eq(contacts.emailNormalized, keys.emailNormalized));
  if (keys.phoneE164) match.push(eq(contacts.phoneE164, keys.phoneE164));
  if (match.length === 0) return null;
  const rows = await tx
    .select()
    .from(contacts)
    .where(and(isNull(contacts.mergedIntoId), or(...match)))
    .limit(2);
  return rows.find((r) => r.id !== exceptId) ?? null;
}

const duplicate = (id: string | null) =>
  new AppError("duplicate_contact", "a contact with this email or phone exists", { contactId: id });

const consentOf = (given: ContactInput["consent"], current?: Consent): Consent => {
  const base = current ?? { email: false, sms: false, tracking: false, updatedAt: null };
  if (!given) return base;
  return { ...base, ...given, updatedAt: new Date().toISOString() };
};

/** Inserts a contact in the caller's transaction; 409 `duplicate_contact` when email or phone is taken. */
export async function insertContact(tx: Tx, actor: SalesActor, input: ContactInput): Promise<Row> {
  const keys = dedupeKeys(input);
  const existing = await findDuplicate(tx, keys);
  if (existing) throw duplicate(existing.id);
  await checkAttributes(tx, "contact", input.attributes, { creating: true });
  await rememberTags(tx, actor.tenantId, input.tags);
  try {
    const [row] = await tx
      .insert(contacts)
      .values({
        tenantId: actor.tenantId,
        name: input.name ?? "",
        email: input.email?.trim() || null,
        phone: input.phone?.trim() || null,
        ...keys,
        companyId: input.companyId ?? null,
        attributes: input.attributes ?? {},
        tags: input.tags ?? [],
        consent: consentOf(input.consent),
        source: input.source ?? null,
      })
      .returning();
    if (!row) throw new Error("contact insert returned nothing");
    await audit(tx, actor, "contact.created", { type: "contact", id: row.id });
    return row;
  } catch (error) {
    // A concurrent insert of the same email/phone lost the race to the unique index.
    // (The transaction is aborted now, so the winner's id cannot be looked up here.)
    if (isUniqueViolation(error)) throw duplicate(null);
    throw error;
  }
}

export async function createContact(
  db: Database,
  actor: SalesActor,
  input: ContactInput,
): Promise<ContactView> {
  return withTenant(db, actor.tenantId, async (tx) => contactView(await insertContact(tx, actor, input)));
}

export async function getContactRow(tx: Tx, id: string): Promise<Row> {
  const [row] = await tx.select().from(contacts).where(eq(contacts.id, id));
  if (!row) throw notFound("contact");
  return row;
}

export async function getContact(db: Database, tenantId: string, id: string): Promise<ContactView> {
  return withTenant(db, tenantId, async (tx) => contactView(await getContactRow(tx, id)));
}

export async function updateContact(
  db: Database,
  actor: SalesActor,
  id: string,
  input: ContactInput,
): Promise<ContactView> {
  return withTenant(db, actor.tenantId, async (tx) => {
    const current = await getContactRow(tx, id);
    if (current.erasedAt) throw new AppError("erased", "this contact was erased");
    const email = input.email === undefined ? current.email : input.email;
    const phone = input.phone === undefined ? current.phone : input.phone;
    const keys = dedupeKeys({ email, phone });
    const existing = await findDuplicate(tx, keys, id);
    if (existing) throw duplicate(existing.id);
    const attributes = input.attributes ? { ...current.attributes, ...input.attributes } : current.attributes;
    await checkAttributes(tx, "contact", input.attributes, { creating: false });
    await rememberTags(tx, actor.tenantId, input.tags);
    const [row] = await tx
      .update(contacts)
      .set({
        name: input.name ?? current.name,
        email: email?.trim() || null,
        phone: phone?.trim() || null,
        ...keys,
        companyId: input.companyId === undefined ? current.companyId : input.companyId,
        attributes: Object.fromEntries(Object.entries(attributes).filter(([, v]) => v !== null)),
        tags: input.tags ?? current.tags,
        consent: consentOf(input.consent, current.consent),
        source: input.source === undefined ? current.source : input.source,
      })
      .where(eq(contacts.id, id))
      .returning();
    if (!row) throw notFound("contact");
    await audit(tx, actor, "contact.updated", { type: "contact", id }, { fields: Object.keys(input) });
    return contactView(row);
  });
}

export type ContactFilters = {
  q?: string;
  email?: string;
  tag?: string;
  companyId?: string;
  ids?: string[];
  includeMerged?: boolean;
  sort: "created_at" | "updated_at" | "name";
  order: "asc" | "desc";
  limit: number;
  cursor?: string;
};

export async function listContacts(db: Database, tenantId: string, f: ContactFilters) {
  const column = { created_at: contacts.createdAt, updated_at: contacts.updatedAt, name: contacts.name }[
    f.sort
  ];
  const spec: SortSpec = {
    column,
    idColumn: contacts.id,
    type: f.sort === "name" ? "text" : "timestamptz",
    desc: f.order === "desc",
  };
  const where: (SQL | undefined)[] = [];
  if (!f.includeMerged) where.push(isNull(contacts.mergedIntoId));
  if (f.q) {
    const like = `%${f.q.replace(/[%_\\]/g, "\\$&")}%`;
    where.push(or(ilike(contacts.name, like), ilike(contacts.email, like)));
  }
  if (f.email) where.push(eq(contacts.emailNormalized, normalizeEmail(f.email) ?? ""));
  if (f.tag) where.push(arrayContains(contacts.tags, [f.tag]));
  if (f.companyId) where.push(eq(contacts.companyId, f.companyId));
  if (f.ids) where.push(inArray(contacts.id, f.ids));
  return withTenant(db, tenantId, async (tx) => {
    const { items, nextCursor } = await listPage(tx, contacts, spec, where, f.cursor, f.limit);
    return { contacts: items.map(contactView), nextCursor };
  });
}

/** Deletes a contact with nothing attached; otherwise 409 (erase or merge it instead). */
export async function deleteContact(db: Database, actor: SalesActor, id: string): Promise<void> {
  await withTenant(db, actor.tenantId, async (tx) => {
    await getContactRow(tx, id);
    try {
      await tx.delete(contacts).where(eq(contacts.id, id));
    } catch (error) {
      if (pgErrorCode(error) === "23503") {
        throw new AppError("in_use", "the contact has leads, deals or activities: erase or merge it instead");
      }
      throw error;
    }
    // Sync plugins pass the deletion on (their changes feed reads tombstones).
    await tx
      .insert(recordTombstones)
      .values({ tenantId: actor.tenantId, objectType: "contact", localId: id })
      .onConflictDoNothing();
    await audit(tx, actor, "contact.deleted", { type: "contact", id });
  });
}
