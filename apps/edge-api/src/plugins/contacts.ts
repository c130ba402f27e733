import { contacts, type Database, type Tx, withTenant } from "@autopilot/db";
import { ContactUpsert } from "@autopilot/sdk";
import { eq, inArray } from "drizzle-orm";
import { z } from "zod";
import { systemActor } from "../domain/crm/actor.js";
import { getCompanyRow } from "../domain/crm/companies.js";
import { dedupeKeys, findDuplicate, insertContact } from "../domain/crm/contacts.js";
import { AppError } from "../domain/errors.js";
import { changesOf } from "./changes-feed.js";
import type { Install } from "./storage.js";

// The contacts capability: read (contacts:read) and find-or-create (contacts:write), always inside the
// install's tenant (withTenant: row-level security), through the same domain code as the API.

type Row = typeof contacts.$inferSelect;

const view = (c: Row) => ({
  id: c.id,
  name: c.name || null,
  email: c.email,
  phone: c.phone,
  tags: c.tags,
  companyId: c.companyId,
  createdAt: c.createdAt.toISOString(),
  updatedAt: c.updatedAt.toISOString(),
});

export async function contactsCall(
  db: Database,
  install: Install,
  method: string,
  args: unknown[],
): Promise<unknown> {
  return withTenant(db, install.tenantId, async (tx) => {
    switch (method) {
      case "get": {
        const id = z.uuid().safeParse(args[0]);
        if (!id.success) return null;
        const [row] = await tx.select().from(contacts).where(eq(contacts.id, id.data));
        return row && !row.mergedIntoId && !row.erasedAt ? view(row) : null;
      }
      case "findByEmail": {
        const email = z.email().max(254).parse(args[0]);
        const row = await findDuplicate(tx, {
          emailNormalized: dedupeKeys({ email }).emailNormalized,
          phoneE164: null,
        });
        return row ? view(row) : null;
      }
      case "changes":
        return contactChanges(tx, args[0]);
      case "upsert": {
        const input = ContactUpsert.parse(args[0]);
        // The company must be this workspace's (row-level security hides any other: not found).
        if (input.companyId) await getCompanyRow(tx, input.companyId);
        const keys = dedupeKeys(input);
        const existing = await findDuplicate(tx, keys);
        if (!existing)
          return view(await insertContact(tx, systemActor(install.tenantId), { ...input, source: "plugin" }));
        const [row] = await tx
          .update(contacts)
          .set({
            ...(input.name ? { name: input.name } : {}),
            // Found by email, the phone given is its phone now (a sync's other side changed it).
            ...(input.phone && input.email ? { phone: input.phone, phoneE164: keys.phoneE164 } : {}),
            ...(input.tags ? { tags: [...new Set([...existing.tags, ...input.tags])] } : {}),
            ...(input.companyId !== undefined ? { companyId: input.companyId } : {}),
            updatedAt: new Date(),
          })
          .where(eq(contacts.id, existing.id))
          .returning();
        return view(row ?? existing);
      }
      default:
        throw new AppError("not_found", `contacts.${method}: no such method`);
    }
  });
}

/**
 * Contacts changed after the cursor, oldest first: each as it is now, or as `deleted` when it was
 * merged into another, erased, or deleted outright (a tombstone).
 */
async function contactChanges(tx: Tx, raw: unknown) {
  const { changes, next } = await changesOf(tx, "contact", raw, async (ids) => {
    const found = ids.length ? await tx.select().from(contacts).where(inArray(contacts.id, ids)) : [];
    return new Map(found.map((c) => [c.id, !c.mergedIntoId && !c.erasedAt ? view(c) : null]));
  });
  return { contacts: changes, next };
}
