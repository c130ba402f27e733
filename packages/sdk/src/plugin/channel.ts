import { z } from "zod";
import type { StorageCapability } from "./capabilities.js";

// The channel contract: a channel plugin (Telegram, WhatsApp, email…) turns what its provider delivers
// into conversation turns (ctx.conversations.appendInbound, permission "conversations:write"), and the
// platform hands every bot and agent reply of those conversations to the plugin's `channel.send`.

/** A file the provider holds, passed on as a link (never the bytes). */
export const Attachment = z.object({
  url: z.url().max(2000),
  name: z.string().trim().max(200).optional(),
  contentType: z.string().trim().max(100).optional(),
});
export type Attachment = z.infer<typeof Attachment>;

/** The size of a thread's data, as JSON. */
export const MAX_THREAD_DATA = 8000;

/** What a customer sent on the channel. */
export const InboundMessage = z
  .object({
    /** The provider's conversation: a Telegram chat id, a WhatsApp number, an email thread's first Message-ID. */
    threadId: z.string().trim().min(1).max(300),
    /** The provider's id of this message (update_id, wamid, Message-ID): a repeat of it is dropped. */
    messageId: z.string().trim().min(1).max(300),
    sender: z.object({
      /** The customer's id on the channel (Telegram user id, WhatsApp number, email address). */
      id: z.string().trim().min(1).max(300),
      name: z.string().trim().max(200).optional(),
      email: z.email().max(254).optional(),
      phone: z.string().trim().min(3).max(40).optional(),
    }),
    text: z.string().trim().max(4000).default(""),
    attachments: z.array(Attachment).max(10).default([]),
    /**
     * What the plugin needs to answer on this thread later (an email's address, subject and
     * Message-IDs): kept by the platform with the thread, each message's replacing the one before,
     * and handed back with every reply in `OutboundMessage.threadData`. Leave it out to keep it as is.
     */
    threadData: z.record(z.string().min(1).max(64), z.string().max(4000)).optional(),
  })
  .refine((m) => m.text.length > 0 || m.attachments.length > 0, {
    message: "a message needs text or an attachment",
    path: ["text"],
  })
  .refine((m) => !m.threadData || JSON.stringify(m.threadData).length <= MAX_THREAD_DATA, {
    message: "threadData: at most 8,000 characters in all",
    path: ["threadData"],
  });
export type InboundMessage = z.input<typeof InboundMessage>;

export const InboundResult = z.object({
  conversationId: z.uuid(),
  contactId: z.uuid().nullable(),
  /** True when this messageId had been appended before: nothing was added again. */
  duplicate: z.boolean(),
});
export type InboundResult = z.infer<typeof InboundResult>;

/** A reply the platform hands to `channel.send`: at least once, so `messageId` may come again. */
export const OutboundMessage = z.object({
  conversationId: z.uuid(),
  threadId: z.string(),
  messageId: z.string(),
  sender: z.enum(["bot", "agent"]),
  text: z.string(),
  /** Answers the customer may tap (a playbook's choices). */
  quickReplies: z.array(z.string()).default([]),
  /** When the customer last wrote (ISO): providers with a reply window (WhatsApp's 24 h) check it. */
  lastInboundAt: z.string().nullable(),
  /** The thread's data as the plugin's last appendInbound left it ({} when it gave none). */
  threadData: z.record(z.string(), z.string()).default({}),
});
export type OutboundMessage = z.infer<typeof OutboundMessage>;

/**
 * What `send` answers: sent (with the provider's ids), retry (the provider is busy or down: the
 * platform tries again, after `afterSeconds` when the provider said so) or failed (it will never go:
 * the customer blocked the bot, the number is invalid). A thrown error counts as retry.
 */
export const SendResult = z.discriminatedUnion("status", [
  z.object({ status: z.literal("sent"), externalIds: z.array(z.string().max(300)).max(50).default([]) }),
  z.object({ status: z.literal("retry"), afterSeconds: z.number().int().min(1).max(86_400).optional() }),
  z.object({ status: z.literal("failed"), reason: z.string().max(500) }),
]);
export type SendResult = z.input<typeof SendResult>;

/** A provider's receipt for a reply it took (WhatsApp's sent, delivered, read, failed). */
export const DeliveryUpdate = z.object({
  /** One of the ids `send` answered in `externalIds`. */
  externalId: z.string().trim().min(1).max(300),
  status: z.enum(["sent", "delivered", "read", "failed"]),
  reason: z.string().max(500).optional(),
});
export type DeliveryUpdate = z.infer<typeof DeliveryUpdate>;

/** ctx.conversations (permission "conversations:write"). */
export interface ConversationsWriter {
  /** Adds the customer's message to the thread's conversation (started on its first message). */
  appendInbound(message: InboundMessage): Promise<InboundResult>;
  /** Notes a provider's receipt on the reply it belongs to; `found` is false for an unknown id. */
  updateDelivery(update: DeliveryUpdate): Promise<{ found: boolean }>;
}

/**
 * Splits a reply into messages a provider takes (Telegram and WhatsApp: 4,096 characters), cutting at
 * a line break or a space when one is in the second half of the window, else at the limit.
 */
export function splitMessage(text: string, max: number): string[] {
  const parts: string[] = [];
  let rest = text;
  while (rest.length > max) {
    const window = rest.slice(0, max);
    const at = Math.max(window.lastIndexOf("\n"), window.lastIndexOf(" "));
    const cut = at > max / 2 ? at : max;
    parts.push(rest.slice(0, cut).trimEnd());
    rest = rest.slice(cut).trimStart();
  }
  if (rest.length > 0 || parts.length === 0) parts.push(rest);
  return parts;
}

/**
 * Sends a reply as several provider messages, each through `sendPart`, which answers the provider's
 * id for its part or a SendResult that stops the reply there (retry, failed). The ids of the parts
 * already sent are kept in the install's storage, so a retried reply never sends a part twice.
 */
export async function sendInParts(
  storage: StorageCapability,
  messageId: string,
  parts: string[],
  sendPart: (part: string, index: number) => Promise<string | SendResult>,
): Promise<SendResult> {
  const key = `sent:${messageId}`;
  const sent = ((await storage.get<string[]>(key)) ?? []).slice();
  for (let i = sent.length; i < parts.length; i++) {
    const answer = await sendPart(parts[i] ?? "", i);
    if (typeof answer !== "string") return answer;
    sent.push(answer);
    await storage.put(key, sent);
  }
  await storage.delete(key);
  return { status: "sent", externalIds: sent };
}
