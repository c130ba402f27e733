import type { Tx } from "@autopilot/db";
import { sql } from "drizzle-orm";
import { z } from "zod";
import { AppError } from "../domain/errors.js";

// The changes feed sync plugins read (contacts, companies, deals): rows changed after a cursor,
// oldest first, with the tombstones of rows deleted outright. Equal times are ordered by id, so a page
// never splits or repeats a change.

export const ChangesQuery = z
  .object({
    after: z.string().max(200).nullable().optional(),
    limit: z.number().int().min(1).max(500).default(200),
  })
  .default({ limit: 200 });

/** The cursor: the change's time (microseconds, as Postgres keeps it) and id. */
const cursorOf = (at: string, id: string) => btoa(`${at}|${id}`);
function parseCursor(feed: string, cursor: string): { at: string; id: string } {
  try {
    const [at, id] = atob(cursor).split("|");
    if (at && id && z.uuid().safeParse(id).success && !Number.isNaN(Date.parse(at))) return { at, id };
  } catch {
    // refused below
  }
  throw new AppError("invalid_request", `${feed}.changes: after is not a cursor this feed gave`);
}

/** The tables a feed reads: fixed names, never the caller's. */
const TABLES = { contact: "contacts", company: "companies", deal: "deals" } as const;
export type FeedObject = keyof typeof TABLES;

export type FeedEntry = { id: string; deleted: boolean; at: string; cursor: string };

/** One page of the feed: each entry's id, whether it is a tombstone, its time and cursor. */
export async function changedIds(
  tx: Tx,
  objectType: FeedObject,
  raw: unknown,
): Promise<{ entries: FeedEntry[]; next: string | null }> {
  const q = ChangesQuery.parse(raw ?? undefined);
  const feed = TABLES[objectType];
  const after = q.after ? parseCursor(feed, q.after) : null;
  const rows = await tx.execute<{ id: string; at: string; kind: "row" | "tombstone" }>(sql`
    select id, at, kind from (
      select id, to_char(updated_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as at, updated_at as t, 'row' as kind
        from ${sql.identifier(feed)}
      union all
      select local_id as id, to_char(deleted_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as at, deleted_at as t, 'tombstone' as kind
        from record_tombstones where object_type = ${objectType}
    ) changes
    ${after ? sql`where (t, id) > (${after.at}::timestamptz, ${after.id}::uuid)` : sql``}
    order by t, id
    limit ${q.limit}`);
  const entries = rows.rows.map((r) => ({
    id: r.id,
    deleted: r.kind === "tombstone",
    at: r.at,
    cursor: cursorOf(r.at, r.id),
  }));
  return { entries, next: entries.at(-1)?.cursor ?? null };
}

/** The feed's page with each live row as the capability shows it (null: gone, merged or erased). */
export async function changesOf<V>(
  tx: Tx,
  objectType: FeedObject,
  raw: unknown,
  load: (ids: string[]) => Promise<Map<string, V | null>>,
) {
  const { entries, next } = await changedIds(tx, objectType, raw);
  const live = await load(entries.filter((e) => !e.deleted).map((e) => e.id));
  const changes = entries.map((e) => {
    const record = e.deleted ? null : live.get(e.id);
    if (record) return { ...record, deleted: false as const, cursor: e.cursor };
    return { id: e.id, deleted: true as const, updatedAt: e.at, cursor: e.cursor };
  });
  return { changes, next };
}
