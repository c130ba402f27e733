import { type Database, knowledgeUnanswered, type Tx, withTenant } from "@autopilot/db";
import { sql } from "drizzle-orm";
import { AppError } from "../domain/errors.js";

// Questions the knowledge base could not answer: recorded per ask (from the Conversation DO's outbox,
// id = the visitor message, so a retried copy lands once), listed grouped by the normalised question
// so admins see what to add to their site or FAQ.

/** Lower case, no invisible characters, single spaces, no trailing punctuation: "Do you ship?" = "do you ship". */
export function questionKey(question: string): string {
  return question
    .normalize("NFKC")
    .replace(/[\u200B-\u200F\u2060\uFEFF]/g, "")
    .toLowerCase()
    .replace(/\s+/g, " ")
    .replace(/[\s?!.…,;:]+$/u, "")
    .trim()
    .slice(0, 500);
}

export async function recordUnanswered(
  tx: Tx,
  tenantId: string,
  item: { id: string; conversationId: string; question: string; askedAt: string },
): Promise<void> {
  await tx
    .insert(knowledgeUnanswered)
    .values({
      id: item.id,
      tenantId,
      question: item.question,
      questionKey: questionKey(item.question),
      conversationId: item.conversationId,
      askedAt: new Date(item.askedAt),
    })
    .onConflictDoNothing();
}

export type UnansweredSort = "recent" | "count";
export type UnansweredQuestion = {
  question: string;
  count: number;
  firstAskedAt: string;
  lastAskedAt: string;
  lastConversationId: string | null;
};

type Cursor = { v: string | number; k: string };
const encodeCursor = (c: Cursor) => btoa(JSON.stringify(c)).replace(/=+$/, "");
function decodeCursor(raw: string, sort: UnansweredSort): Cursor {
  try {
    const c = JSON.parse(atob(raw)) as Cursor;
    if (typeof c.k === "string" && typeof c.v === (sort === "count" ? "number" : "string")) return c;
  } catch {
    // fall through
  }
  throw new AppError("invalid_request", "cursor: not a cursor of this list (same sort)");
}

/** Grouped by question, most recent (or most asked) first; keyset pagination on (sort value, key). */
export async function listUnanswered(
  db: Database,
  tenantId: string,
  opts: { sort: UnansweredSort; limit: number; cursor?: string },
): Promise<{ questions: UnansweredQuestion[]; nextCursor: string | null }> {
  const cursor = opts.cursor ? decodeCursor(opts.cursor, opts.sort) : null;
  const rows = await withTenant(db, tenantId, async (tx) => {
    const sortValue = opts.sort === "count" ? sql`count(*)` : sql`max(u.asked_at)`;
    const after = !cursor
      ? sql``
      : opts.sort === "count"
        ? sql`having (count(*), u.question_key) < (${cursor.v}::bigint, ${cursor.k})`
        : sql`having (max(u.asked_at), u.question_key) < (${cursor.v}::timestamptz, ${cursor.k})`;
    const result = await tx.execute<{
      key: string;
      question: string;
      count: number;
      first_asked_at: string;
      last_asked_at: string;
      last_conversation_id: string | null;
    }>(sql`
      select u.question_key as key,
             (array_agg(u.question order by u.asked_at desc))[1] as question,
             count(*)::int as count,
             to_json(min(u.asked_at)) #>> '{}' as first_asked_at,
             to_json(max(u.asked_at)) #>> '{}' as last_asked_at,
             ((array_agg(u.conversation_id order by u.asked_at desc))[1])::text as last_conversation_id
      from knowledge_unanswered u
      where u.tenant_id = ${tenantId}
      group by u.question_key
      ${after}
      order by ${sortValue} desc, u.question_key desc
      limit ${opts.limit + 1}`);
    return result.rows;
  });
  const page = rows.slice(0, opts.limit);
  const last = page[page.length - 1];
  return {
    questions: page.map((r) => ({
      question: r.question,
      count: Number(r.count),
      firstAskedAt: new Date(r.first_asked_at).toISOString(),
      lastAskedAt: new Date(r.last_asked_at).toISOString(),
      lastConversationId: r.last_conversation_id,
    })),
    nextCursor:
      rows.length > opts.limit && last
        ? encodeCursor({ v: opts.sort === "count" ? Number(last.count) : last.last_asked_at, k: last.key })
        : null,
  };
}
