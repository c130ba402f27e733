import {
  cannedReplies,
  contacts,
  conversationReads,
  conversations,
  type Database,
  leads,
  messages,
  withTenant,
} from "@autopilot/db";
import { and, asc, desc, eq, inArray, isNull, type SQL, sql } from "drizzle-orm";
import { AppError, notFound } from "../domain/errors.js";

// The agent inbox reads Postgres (the DOs' copies): lists, filters and full-text search across
// conversations. Transcripts of a single conversation come from its DO, the live authority.

// The outer row's columns, qualified by hand: inside a subquery an unqualified "id" would be the
// subquery table's own.
const C_TENANT = sql.raw(`"conversations"."tenant_id"`);
const C_ID = sql.raw(`"conversations"."id"`);

export type InboxFilter = {
  status?: ("bot" | "waiting" | "human" | "closed")[];
  assignee?: string | "me" | "none";
  channel?: string;
  contactId?: string;
  q?: string;
  limit: number;
};

export async function listConversations(
  db: Database,
  tenantId: string,
  userId: string | null,
  f: InboxFilter,
) {
  return withTenant(db, tenantId, async (tx) => {
    const where: SQL[] = [eq(conversations.tenantId, tenantId)];
    if (f.status?.length) where.push(inArray(conversations.status, f.status));
    if (f.channel) where.push(eq(conversations.channel, f.channel));
    if (f.contactId) where.push(eq(conversations.contactId, f.contactId));
    if (f.assignee === "none") where.push(isNull(conversations.assigneeId));
    else if (f.assignee === "me") {
      if (!userId) throw new AppError("invalid_request", "assignee: 'me' needs a signed-in user");
      where.push(eq(conversations.assigneeId, userId));
    } else if (f.assignee) where.push(eq(conversations.assigneeId, f.assignee));
    if (f.q)
      where.push(
        sql`exists (select 1 from ${messages} m where m.tenant_id = ${C_TENANT}
          and m.conversation_id = ${C_ID} and m.search @@ plainto_tsquery('simple', ${f.q}))`,
      );
    // Who the customer is (their contact), who owns them (the assignee, else the owner of the lead the
    // chat made: the newest, through a lateral join) and how many of their messages the caller has not
    // read (members only: an API key reads for nobody). One round trip, on indexes (limit ≤ 200 rows).
    const lead = tx
      .select({ id: leads.id, ownerId: leads.ownerId })
      .from(leads)
      .where(and(sql`${leads.tenantId} = ${C_TENANT}`, sql`${leads.conversationId} = ${C_ID}::text`))
      .orderBy(desc(leads.createdAt))
      .limit(1)
      .as("lead");
    const unread = userId
      ? sql<number>`(select count(*)::int from ${messages} m where m.tenant_id = ${C_TENANT}
          and m.conversation_id = ${C_ID} and m.sender = 'visitor' and m.seq > coalesce((select r.last_read_seq
          from ${conversationReads} r where r.tenant_id = ${C_TENANT} and r.conversation_id = ${C_ID}
          and r.user_id = ${userId}), 0))`
      : sql<null>`null`;
    const rows = await tx
      .select({
        row: conversations,
        contactName: contacts.name,
        contactEmail: contacts.email,
        leadId: lead.id,
        leadOwnerId: lead.ownerId,
        unread,
      })
      .from(conversations)
      .leftJoin(contacts, eq(contacts.id, conversations.contactId))
      .leftJoinLateral(lead, sql`true`)
      .where(and(...where))
      .orderBy(desc(conversations.lastMessageAt), desc(conversations.createdAt))
      .limit(f.limit);
    return rows.map(({ row: r, ...more }) => ({
      id: r.id,
      channel: r.channel,
      status: r.status,
      visitorId: r.visitorId,
      assigneeId: r.assigneeId,
      contactId: r.contactId,
      routesVersion: r.routesVersion,
      lastMessage: r.lastMessage,
      lastMessageAt: r.lastMessageAt?.toISOString() ?? null,
      messageCount: r.messageCount,
      csatScore: r.csatScore,
      csatComment: r.csatComment,
      createdAt: r.createdAt.toISOString(),
      closedAt: r.closedAt?.toISOString() ?? null,
      contactName: more.contactName || null,
      contactEmail: more.contactEmail,
      leadId: more.leadId,
      leadOwnerId: more.leadOwnerId,
      unread: more.unread === null ? null : Number(more.unread),
    }));
  });
}

/**
 * The member has read the conversation up to `seq` (they opened it). Never moves backwards; nothing
 * happens while the conversation's row has not reached Postgres yet (the DO copies it moments later).
 */
export async function markRead(
  db: Database,
  tenantId: string,
  userId: string,
  conversationId: string,
  seq: number,
): Promise<void> {
  await withTenant(db, tenantId, (tx) =>
    tx.execute(sql`
      insert into conversation_reads (tenant_id, conversation_id, user_id, last_read_seq)
      select c.tenant_id, c.id, ${userId}::uuid, ${seq} from conversations c
      where c.tenant_id = ${tenantId}::uuid and c.id = ${conversationId}::uuid
      on conflict (tenant_id, conversation_id, user_id) do update
        set last_read_seq = greatest(conversation_reads.last_read_seq, excluded.last_read_seq), read_at = now()`),
  );
}

export async function listCanned(db: Database, tenantId: string) {
  return withTenant(db, tenantId, async (tx) =>
    (
      await tx
        .select()
        .from(cannedReplies)
        .where(eq(cannedReplies.tenantId, tenantId))
        .orderBy(asc(cannedReplies.shortcut))
    ).map((r) => ({ id: r.id, shortcut: r.shortcut, text: r.text })),
  );
}

export async function createCanned(
  db: Database,
  tenantId: string,
  input: { shortcut: string; text: string },
) {
  return withTenant(db, tenantId, async (tx) => {
    const [row] = await tx
      .insert(cannedReplies)
      .values({ tenantId, ...input })
      .onConflictDoNothing()
      .returning();
    if (!row) throw new AppError("conflict", `shortcut: ${input.shortcut} already exists`);
    return { id: row.id, shortcut: row.shortcut, text: row.text };
  });
}

export async function deleteCanned(db: Database, tenantId: string, id: string) {
  return withTenant(db, tenantId, async (tx) => {
    const gone = await tx
      .delete(cannedReplies)
      .where(and(eq(cannedReplies.tenantId, tenantId), eq(cannedReplies.id, id)))
      .returning({ id: cannedReplies.id });
    if (gone.length === 0) throw notFound("canned reply");
    return { ok: true as const };
  });
}

export async function cannedText(db: Database, tenantId: string, id: string): Promise<string> {
  return withTenant(db, tenantId, async (tx) => {
    const [row] = await tx
      .select({ text: cannedReplies.text })
      .from(cannedReplies)
      .where(and(eq(cannedReplies.tenantId, tenantId), eq(cannedReplies.id, id)));
    if (!row) throw new AppError("not_found", "cannedReplyId: canned reply not found");
    return row.text;
  });
}
