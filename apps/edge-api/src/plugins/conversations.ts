import {
  channelMessages,
  channelThreads,
  contactChannels,
  contacts,
  type Database,
  type Tx,
  withTenant,
} from "@autopilot/db";
import { DeliveryUpdate, InboundMessage, type InboundResult } from "@autopilot/sdk";
import { and, eq } from "drizzle-orm";
import { callConversation, conversationStub } from "../conversations/client.js";
import type { TurnResult } from "../conversations/protocol.js";
import { systemActor } from "../domain/crm/actor.js";
import { dedupeKeys, findDuplicate, insertContact } from "../domain/crm/contacts.js";
import { AppError } from "../domain/errors.js";
import type { Env } from "../env.js";
import { sha256Hex } from "../lib/crypto.js";
import type { Install } from "./storage.js";

// The conversations capability (conversations:write) of channel plugins: a customer's message on a
// provider's thread becomes a visitor turn of that thread's conversation, through the same Conversation
// DO and engine as the web widget. The thread keeps its conversation until it closes; the next message
// then starts a new one. The provider's message id makes a redelivery change nothing.

type Thread = { conversationId: string; contactId: string | null };

export async function conversationsCall(
  env: Env,
  db: Database,
  install: Install & { channel: string | null },
  method: string,
  args: unknown[],
): Promise<InboundResult | { found: boolean }> {
  if (method === "updateDelivery") return updateDelivery(env, db, install, args[0]);
  if (method !== "appendInbound")
    throw new AppError("invalid_request", `conversations.${method}: no such method`);
  const message = InboundMessage.parse(args[0]);
  const channel = install.channel;
  if (!channel)
    throw new AppError("forbidden", "conversations.appendInbound: only a channel plugin appends messages");
  const text = [message.text, ...message.attachments.map((a) => `📎 ${a.name ? `${a.name}: ` : ""}${a.url}`)]
    .filter(Boolean)
    .join("\n")
    .slice(0, 4000);
  // One visitor per thread (a group chat is one conversation), the same on every message.
  const visitorId = `${channel}:${(await sha256Hex(`${install.installId}:${message.threadId}`)).slice(0, 40)}`;
  const clientId = `ch${(await sha256Hex(message.messageId)).slice(0, 40)}`;
  let thread = await threadOf(db, install, channel, message);
  for (let attempt = 0; attempt < 2; attempt++) {
    const stub = conversationStub(env, install.tenantId, thread.conversationId);
    const scoped = { tenantId: install.tenantId, conversationId: thread.conversationId, visitorId };
    await callConversation(() =>
      stub.start({
        ...scoped,
        channel,
        thread: { installId: install.installId, threadId: message.threadId },
        ...(thread.contactId ? { contactId: thread.contactId } : {}),
      }),
    );
    try {
      const turn = await callConversation<TurnResult>(() =>
        stub.visitorMessage({ ...scoped, text, clientId }),
      );
      return {
        conversationId: thread.conversationId,
        contactId: thread.contactId,
        duplicate: turn.duplicate === true,
      };
    } catch (error) {
      // The thread's conversation was closed: the customer wrote again, so a new one starts.
      if (!(error instanceof AppError) || error.code !== "conflict" || attempt > 0) throw error;
      thread = await restartThread(db, install, message.threadId, thread);
    }
  }
  throw new AppError("unavailable", "conversations.appendInbound: the thread could not be continued");
}

/** The thread's conversation, started (with its contact found or created) on the first message. */
async function threadOf(
  db: Database,
  install: Install,
  channel: string,
  message: ReturnType<typeof InboundMessage.parse>,
): Promise<Thread> {
  return withTenant(db, install.tenantId, async (tx) => {
    const where = threadWhere(install, message.threadId);
    const [known] = message.threadData
      ? await tx.update(channelThreads).set({ data: message.threadData }).where(where).returning()
      : await tx.select().from(channelThreads).where(where);
    if (known) return threadFrom(known);
    const contactId = await channelContact(tx, install.tenantId, channel, message.sender);
    const [created] = await tx
      .insert(channelThreads)
      .values({
        tenantId: install.tenantId,
        installId: install.installId,
        threadId: message.threadId,
        conversationId: crypto.randomUUID(),
        contactId,
        data: message.threadData ?? {},
      })
      .onConflictDoNothing()
      .returning();
    // A concurrent first message on the same thread won: use its conversation.
    const row = created ?? (await tx.select().from(channelThreads).where(where))[0];
    if (!row)
      throw new AppError("unavailable", "conversations.appendInbound: the thread could not be stored");
    return threadFrom(row);
  });
}

async function restartThread(db: Database, install: Install, threadId: string, old: Thread): Promise<Thread> {
  return withTenant(db, install.tenantId, async (tx) => {
    const where = threadWhere(install, threadId);
    // Only the message that saw the old conversation moves the thread on; a concurrent one reuses it.
    const [moved] = await tx
      .update(channelThreads)
      .set({ conversationId: crypto.randomUUID() })
      .where(and(where, eq(channelThreads.conversationId, old.conversationId)))
      .returning();
    const row = moved ?? (await tx.select().from(channelThreads).where(where))[0];
    if (!row) throw new AppError("not_found", "conversations.appendInbound: the thread is gone");
    return threadFrom(row);
  });
}

const threadWhere = (install: Install, threadId: string) =>
  and(eq(channelThreads.installId, install.installId), eq(channelThreads.threadId, threadId));

const threadFrom = (row: typeof channelThreads.$inferSelect): Thread => ({
  conversationId: row.conversationId,
  contactId: row.contactId,
});

/**
 * The CRM contact of a channel's user: the one seen before on this channel, else the one with the same
 * email or phone, else a new one. Either way the channel's id is remembered for the next time.
 */
async function channelContact(
  tx: Tx,
  tenantId: string,
  channel: string,
  sender: ReturnType<typeof InboundMessage.parse>["sender"],
): Promise<string> {
  const [seen] = await tx
    .select({ contactId: contactChannels.contactId, mergedInto: contacts.mergedIntoId })
    .from(contactChannels)
    .innerJoin(contacts, eq(contacts.id, contactChannels.contactId))
    .where(and(eq(contactChannels.channel, channel), eq(contactChannels.externalId, sender.id)));
  if (seen) return seen.mergedInto ?? seen.contactId;
  const keys = dedupeKeys({ email: sender.email, phone: sender.phone });
  const existing = await findDuplicate(tx, keys);
  const contactId =
    existing?.id ??
    (
      await insertContact(tx, systemActor(tenantId), {
        name: sender.name,
        email: sender.email,
        phone: sender.phone,
        source: channel,
      })
    ).id;
  await tx
    .insert(contactChannels)
    .values({ tenantId, channel, externalId: sender.id, contactId })
    .onConflictDoNothing();
  return contactId;
}

/** The data the channel's plugin keeps with a thread ({} for a thread it never gave any). */
export async function threadDataOf(db: Database, install: Install, threadId: string) {
  const [row] = await withTenant(db, install.tenantId, (tx) =>
    tx.select({ data: channelThreads.data }).from(channelThreads).where(threadWhere(install, threadId)),
  );
  return row?.data ?? {};
}

/** A provider's receipt, to the reply it belongs to (found by the ids send answered), in this install only. */
async function updateDelivery(
  env: Env,
  db: Database,
  install: Install,
  raw: unknown,
): Promise<{ found: boolean }> {
  const update = DeliveryUpdate.parse(raw);
  const [row] = await withTenant(db, install.tenantId, (tx) =>
    tx
      .select()
      .from(channelMessages)
      .where(
        and(
          eq(channelMessages.installId, install.installId),
          eq(channelMessages.externalId, update.externalId),
        ),
      ),
  );
  if (!row) return { found: false };
  const stub = conversationStub(env, install.tenantId, row.conversationId);
  const answer = await stub.receipt({
    tenantId: install.tenantId,
    conversationId: row.conversationId,
    seq: row.seq,
    status: update.status,
    ...(update.reason ? { reason: update.reason } : {}),
  });
  return { found: "found" in answer && answer.found };
}
