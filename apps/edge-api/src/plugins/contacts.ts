import { contacts, type Database, type Tx, withTenant } from "@autopilot/db";
import { ContactUpsert } from "@autopilot/sdk";
import { eq, inArray, sql } from "drizzle-orm";
import { z } from "zod";
import { systemActor } from "../domain/crm/actor.js";
import { dedupeKeys, findDuplicate, insertContact } from "../domain/crm/contacts.js";
import { AppError } from "../domain/errors.js";
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

const ChangesQuery = z
  .object({
    after: z.string().max(200).nullable().optional(),
    limit: z.number().int().min(1).max(500).default(200),
  })
  .default({ limit: 200 });

/** The cursor: the last change's time (microseconds, as Postgres keeps it) and id. */
const cursorOf = (at: string, id: string) => btoa(`${at}|${id}`);
function parseCursor(cursor: string): { at: string; id: string } {
  try {
    const [at, id] = atob(cursor).split("|");
    if (at && id && z.uuid().safeParse(id).success && !Number.isNaN(Date.parse(at))) return { at, id };
  } catch {
    // refused below
  }
  throw new AppError("invalid_request", "contacts.changes: after is not a cursor this feed gave");
}

/**
 * Contacts changed after the cursor, oldest first: each as it is now, or as `deleted` when it was
 * merged into another, erased, or deleted outright (a tombstone). Equal times are ordered by id, so a
 * page never splits or repeats a change.
 */
async function contactChanges(tx: Tx, raw: unknown) {
  const q = ChangesQuery.parse(raw ?? undefined);
  const after = q.after ? parseCursor(q.after) : null;
  const rows = await tx.execute<{ id: string; at: string; kind: "contact" | "tombstone" }>(sql`
    select id, at, kind from (
      select id, to_char(updated_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as at, updated_at as t, 'contact' as kind
        from contacts
      union all
      select local_id as id, to_char(deleted_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as at, deleted_at as t, 'tombstone' as kind
        from record_tombstones where object_type = 'contact'
    ) changes
    ${after ? sql`where (t, id) > (${after.at}::timestamptz, ${after.id}::uuid)` : sql``}
    order by t, id
    limit ${q.limit}`);
  const list = rows.rows;
  const ids = list.filter((r) => r.kind === "contact").map((r) => r.id);
  const found = ids.length ? await tx.select().from(contacts).where(inArray(contacts.id, ids)) : [];
  const byId = new Map(found.map((c) => [c.id, c]));
  const changes = list.map((r) => {
    const c = byId.get(r.id);
    const cursor = cursorOf(r.at, r.id);
    if (r.kind === "contact" && c && !c.mergedIntoId && !c.erasedAt)
      return { ...view(c), deleted: false as const, cursor };
    return { id: r.id, deleted: true as const, updatedAt: r.at, cursor };
  });
  const last = list.at(-1);
  return { contacts: changes, next: last ? cursorOf(last.at, last.id) : null };
}
