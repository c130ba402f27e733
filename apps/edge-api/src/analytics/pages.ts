/** A page of a list, newest first; `next` is the cursor of the following page (null: none left). */
export type Page<T> = { items: T[]; next: string | null };
export type Cursor = { at: string; id: string };

/**
 * Keyset cursor over (created_at, id), both descending: `${time}_${uuid}`, the time with the
 * database's microseconds (a millisecond cursor would skip rows created within the same millisecond).
 */
export function decodeCursor(cursor: string | undefined): Cursor | null {
  if (!cursor) return null;
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z)_([0-9a-f-]{36})$/i.exec(cursor);
  return m ? { at: m[1] as string, id: m[2] as string } : null;
}

/** SQL text of a timestamptz column as the cursor's time (UTC, microseconds). */
export const cursorTime = (column: string) =>
  `to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

/** `rows` fetched with limit + 1: the page, and the cursor after its last row when more exist. */
export function pageOf<T>(rows: { item: T; at: string; id: string }[], limit: number): Page<T> {
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return {
    items: page.map((r) => r.item),
    next: rows.length > limit && last ? `${last.at}_${last.id}` : null,
  };
}
