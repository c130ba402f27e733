import { companies, contacts, type Tx } from "@autopilot/db";
import { eq } from "drizzle-orm";
import type { SalesActor } from "./actor.js";
import { normalizeDomain } from "./companies.js";
import { dedupeKeys, findDuplicate, insertContact } from "./contacts.js";

/**
 * The contact with this email or phone, filled in where it was blank, or a new one. Used where a
 * person arrives from outside (chat forms, imports, plugins) and must not become a duplicate.
 */
export async function upsertContact(
  tx: Tx,
  actor: SalesActor,
  input: {
    name?: string;
    email?: string | null;
    phone?: string | null;
    companyId?: string | null;
    source?: string;
  },
): Promise<{ id: string; created: boolean }> {
  const keys = dedupeKeys(input);
  const existing = await findDuplicate(tx, keys);
  if (!existing) return { id: (await insertContact(tx, actor, input)).id, created: true };
  const fill: Partial<typeof contacts.$inferInsert> = {};
  if (!existing.name && input.name) fill.name = input.name;
  if (!existing.emailNormalized && keys.emailNormalized) {
    fill.email = input.email?.trim() ?? null;
    fill.emailNormalized = keys.emailNormalized;
  }
  if (!existing.phoneE164 && keys.phoneE164) {
    fill.phone = input.phone?.trim() ?? null;
    fill.phoneE164 = keys.phoneE164;
  }
  if (!existing.companyId && input.companyId) fill.companyId = input.companyId;
  if (Object.keys(fill).length > 0) {
    // The email of one contact may equal the phone's owner of another: keep the found one unchanged then.
    const other = await findDuplicate(
      tx,
      { emailNormalized: fill.emailNormalized ?? null, phoneE164: fill.phoneE164 ?? null },
      existing.id,
    );
    if (!other) await tx.update(contacts).set(fill).where(eq(contacts.id, existing.id));
  }
  return { id: existing.id, created: false };
}

/** The company with this domain (or, without one, this exact name), or a new one. */
export async function upsertCompany(
  tx: Tx,
  tenantId: string,
  input: { name: string; domain?: string | null },
) {
  const domain = normalizeDomain(input.domain);
  const [found] = await tx
    .select({ id: companies.id })
    .from(companies)
    .where(domain ? eq(companies.domain, domain) : eq(companies.name, input.name))
    .limit(1);
  if (found) return found.id;
  const [row] = await tx
    .insert(companies)
    .values({ tenantId, name: input.name, domain })
    .onConflictDoNothing()
    .returning({ id: companies.id });
  if (row) return row.id;
  // Lost a race on the domain: the other insert's row is there now.
  const [again] = await tx
    .select({ id: companies.id })
    .from(companies)
    .where(eq(companies.domain, domain ?? ""));
  if (!again) throw new Error("company upsert found nothing");
  return again.id;
}
