import {
  channelMessages,
  conversations,
  type Database,
  memberships,
  messages,
  notifications,
  type Tx,
  users,
  withTenant,
} from "@autopilot/db";
import { and, eq, inArray, lt, sql } from "drizzle-orm";
import { z } from "zod";
import { recordUnanswered } from "../knowledge/unanswered.js";
import { links } from "../mail/links.js";
import type { Mailer } from "../mail/mailer.js";

// What the DO copies to Postgres, the system of record (inbox, search, erasure, reports). Items are
// idempotent — messages by id, conversation rows by revision — so a retried batch applies once.

const ConversationRow = z.object({
  id: z.uuid(),
  channel: z.string(),
  status: z.enum(["bot", "waiting", "human", "closed"]),
  visitorId: z.string(),
  assigneeId: z.uuid().nullable(),
  routesVersion: z.number().int(),
  lastMessage: z.string(),
  lastMessageAt: z.string().nullable(),
  messageCount: z.number().int(),
  csatScore: z.number().int().nullable(),
  /** Absent in copies queued before comments were kept. */
  csatComment: z.string().nullable().optional(),
  revision: z.number().int(),
  /** The contact a create_lead action upserted (absent in copies queued before it existed). */
  contactId: z.uuid().nullable().optional(),
  createdAt: z.string(),
  closedAt: z.string().nullable(),
});

export const PgItem = z.discriminatedUnion("t", [
  z.object({ t: z.literal("conversation"), row: ConversationRow }),
  z.object({
    t: z.literal("message"),
    row: z.object({
      id: z.uuid(),
      conversationId: z.uuid(),
      seq: z.number().int(),
      sender: z.enum(["visitor", "bot", "agent", "system", "note"]),
      authorId: z.uuid().nullable(),
      text: z.string(),
      data: z.record(z.string(), z.unknown()),
      createdAt: z.string(),
    }),
  }),
  z.object({
    t: z.literal("handoff_notify"),
    conversationId: z.uuid(),
    reason: z.string(),
    preview: z.string(),
  }),
  /** A reply a channel's provider took, under its ids (its receipts find the message by them). */
  z.object({
    t: z.literal("channel_message"),
    installId: z.uuid(),
    conversationId: z.uuid(),
    seq: z.number().int(),
    externalIds: z.array(z.string()).max(50),
  }),
  z.object({
    t: z.literal("knowledge_unanswered"),
    id: z.uuid(),
    conversationId: z.uuid(),
    question: z.string().max(500),
    askedAt: z.string(),
  }),
]);
export type PgItem = z.infer<typeof PgItem>;

export async function applyPgItems(
  db: Database,
  tenantId: string,
  items: PgItem[],
  mailer: Mailer,
  appUrl: string,
): Promise<void> {
  await withTenant(db, tenantId, async (tx) => {
    for (const item of items) if (item.t === "conversation") await upsertConversation(tx, tenantId, item.row);
    // A message may come twice in a batch (stored, then its channel delivery noted): the last copy wins.
    const rows = [
      ...new Map(items.flatMap((i) => (i.t === "message" ? [[i.row.id, i.row] as const] : []))).values(),
    ];
    if (rows.length > 0)
      await tx
        .insert(messages)
        .values(
          rows.map((m) => ({
            id: m.id,
            tenantId,
            conversationId: m.conversationId,
            seq: m.seq,
            sender: m.sender,
            authorId: m.authorId,
            text: m.text,
            data: m.data,
            createdAt: new Date(m.createdAt),
          })),
        )
        // Only the data changes after a message is stored (a channel's delivery state).
        .onConflictDoUpdate({ target: messages.id, set: { data: sql`excluded.data` } });
    for (const item of items)
      if (item.t === "channel_message" && item.externalIds.length > 0)
        await tx
          .insert(channelMessages)
          .values(
            item.externalIds.map((externalId) => ({
              tenantId,
              installId: item.installId,
              externalId,
              conversationId: item.conversationId,
              seq: item.seq,
            })),
          )
          .onConflictDoNothing();
    for (const item of items)
      if (item.t === "knowledge_unanswered") await recordUnanswered(tx, tenantId, item);
    for (const item of items)
      if (item.t === "handoff_notify") await notifyTeam(tx, tenantId, item, mailer, appUrl);
  });
}

async function upsertConversation(
  tx: Tx,
  tenantId: string,
  r: z.infer<typeof ConversationRow>,
): Promise<void> {
  const values = {
    id: r.id,
    tenantId,
    channel: r.channel,
    status: r.status,
    visitorId: r.visitorId,
    assigneeId: r.assigneeId,
    routesVersion: r.routesVersion,
    lastMessage: r.lastMessage.slice(0, 500),
    lastMessageAt: r.lastMessageAt ? new Date(r.lastMessageAt) : null,
    messageCount: r.messageCount,
    csatScore: r.csatScore,
    csatComment: r.csatComment ?? null,
    revision: r.revision,
    createdAt: new Date(r.createdAt),
    closedAt: r.closedAt ? new Date(r.closedAt) : null,
  };
  const { id: _id, tenantId: _t, createdAt: _c, ...update } = values;
  // The contact only while it exists (erasure may delete it), and never over one already set (a
  // merge moves conversations to the surviving contact).
  const contactId = r.contactId ? sql`(select id from contacts where id = ${r.contactId})` : null;
  await tx
    .insert(conversations)
    .values({ ...values, contactId })
    .onConflictDoUpdate({
      target: conversations.id,
      set: { ...update, contactId: sql`coalesce(${conversations.contactId}, excluded.contact_id)` },
      // An older copy arriving late never overwrites a newer one.
      setWhere: lt(conversations.revision, sql`excluded.revision`),
    });
}

/** In-app notification and mail to every agent, admin and owner of the tenant. */
async function notifyTeam(
  tx: Tx,
  tenantId: string,
  item: Extract<PgItem, { t: "handoff_notify" }>,
  mailer: Mailer,
  appUrl: string,
): Promise<void> {
  const team = await tx
    .select({ userId: memberships.userId, email: users.email })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(and(eq(memberships.tenantId, tenantId), inArray(memberships.role, ["owner", "admin", "agent"])));
  if (team.length === 0) return;
  const title = "A customer is waiting for a human";
  const body = `Reason: ${item.reason}. Last message: ${item.preview.slice(0, 200)}`;
  await tx.insert(notifications).values(
    team.map((m) => ({
      tenantId,
      userId: m.userId,
      kind: "handoff",
      title,
      body,
      data: { conversationId: item.conversationId },
    })),
  );
  for (const m of team)
    await mailer.send(tx, {
      tenantId,
      to: m.email,
      subject: title,
      text: `${body}\n\nOpen the inbox: ${links.conversation(appUrl, item.conversationId)}`,
      kind: "notification",
    });
}
