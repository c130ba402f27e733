import { cannedReplies, conversations, type Database, messages, withTenant } from "@autopilot/db";
import { and, asc, desc, eq, inArray, isNull, type SQL, sql } from "drizzle-orm";
import { AppError, notFound } from "../http/errors.js";

// The agent inbox reads Postgres (the DOs' copies): lists, filters and full-text search across
// conversations. Transcripts of a single conversation come from its DO, the live authority.

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
      if (!userId) throw new AppError(400, "invalid_request", "assignee: 'me' needs a signed-in user");
      where.push(eq(conversations.assigneeId, userId));
    } else if (f.assignee) where.push(eq(conversations.assigneeId, f.assignee));
    if (f.q)
      where.push(
        sql`exists (select 1 from ${messages} m where m.tenant_id = ${conversations.tenantId}
          and m.conversation_id = ${conversations.id} and m.search @@ plainto_tsquery('simple', ${f.q}))`,
      );
    const rows = await tx
      .select()
      .from(conversations)
      .where(and(...where))
      .orderBy(desc(conversations.lastMessageAt), desc(conversations.createdAt))
      .limit(f.limit);
    return rows.map((r) => ({
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
    }));
  });
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
    if (!row) throw new AppError(409, "conflict", `shortcut: ${input.shortcut} already exists`);
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
    if (!row) throw new AppError(404, "not_found", "cannedReplyId: canned reply not found");
    return row.text;
  });
}
