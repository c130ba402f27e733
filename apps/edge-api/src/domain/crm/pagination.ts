import type { Tx } from "@autopilot/db";
import { type AnyColumn, and, type SQL, sql } from "drizzle-orm";
import type { PgTable } from "drizzle-orm/pg-core";
import { AppError } from "../errors.js";

/**
 * Keyset pagination on (sort column, id). The cursor carries the last row's sort value as Postgres
 * text (so timestamps keep their microseconds) and its id; it is opaque to clients.
 */
export type Cursor = { v: string | null; id: string };

export function encodeCursor(c: Cursor): string {
  return btoa(JSON.stringify([c.v, c.id]))
    .replaceAll("+", "-")
    .replaceAll("/", "_")
    .replace(/=+$/, "");
}

export function decodeCursor(raw: string | undefined): Cursor | null {
  if (!raw) return null;
  try {
    const json = JSON.parse(atob(raw.replaceAll("-", "+").replaceAll("_", "/")));
    if (
      Array.isArray(json) &&
      (typeof json[0] === "string" || json[0] === null) &&
      typeof json[1] === "string"
    ) {
      return { v: json[0], id: json[1] };
    }
  } catch {
    // fall through
  }
  throw new AppError("invalid_request", "query.cursor: not a cursor from a previous page");
}

export type SortSpec = {
  column: AnyColumn;
  idColumn: AnyColumn;
  type: "timestamptz" | "text" | "numeric" | "date";
  desc: boolean;
};

/** The WHERE fragment that starts after the cursor, or undefined on the first page. */
export function afterCursor(s: SortSpec, cursor: Cursor | null): SQL | undefined {
  if (!cursor) return undefined;
  const op = s.desc ? sql`<` : sql`>`;
  // Rows with a null sort value sort last; keep it simple by coalescing to an empty text for text sorts.
  const value = sql`cast(${cursor.v} as ${sql.raw(s.type)})`;
  return sql`(${s.column}, ${s.idColumn}) ${op} (${value}, ${cursor.id}::uuid)`;
}

export function orderOf(s: SortSpec): SQL[] {
  return s.desc
    ? [sql`${s.column} desc`, sql`${s.idColumn} desc`]
    : [sql`${s.column} asc`, sql`${s.idColumn} asc`];
}

/** Selects the sort value as text for the next cursor. */
export const sortKey = (s: SortSpec) => sql<string | null>`${s.column}::text`;

/** Fetch `limit + 1` rows; this trims to `limit` and makes the next cursor. */
export function page<T extends { id: string; sortKey: string | null }>(rows: T[], limit: number) {
  const more = rows.length > limit;
  const items = more ? rows.slice(0, limit) : rows;
  const last = items.at(-1);
  return { items, nextCursor: more && last ? encodeCursor({ v: last.sortKey, id: last.id }) : null };
}

/**
 * One page of a table's rows (contacts, companies, leads): those matching `where` after `cursor`, in
 * the spec's order, at most `limit`, with the cursor of the next page.
 */
export async function listPage<T extends PgTable>(
  tx: Tx,
  table: T,
  spec: SortSpec,
  where: (SQL | undefined)[],
  cursor: string | undefined,
  limit: number,
): Promise<{ items: T["$inferSelect"][]; nextCursor: string | null }> {
  // drizzle cannot type a select over a table given as a type parameter: the result is typed below.
  const rows = (await tx
    .select({ row: table, sortKey: sortKey(spec) } as never)
    .from(table as never)
    .where(and(afterCursor(spec, decodeCursor(cursor)), ...where))
    .orderBy(...orderOf(spec))
    .limit(limit + 1)) as unknown as { row: T["$inferSelect"] & { id: string }; sortKey: string | null }[];
  const { items, nextCursor } = page(
    rows.map((r) => ({ ...r.row, sortKey: r.sortKey })),
    limit,
  );
  return { items: items.map(({ sortKey: _, ...row }) => row as T["$inferSelect"]), nextCursor };
}
