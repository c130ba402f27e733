import { OutboundMessage } from "@autopilot/sdk";
import { z } from "zod";
import { createLogger } from "../lib/log.js";
import type { ConversationCore } from "./core.js";
import type { PgItem } from "./pg-sink.js";

// Replies in a channel plugin's conversation (Telegram, WhatsApp, email) wait in the conversation's
// outbox as "send" rows and go out through the plugin's channel.send, one at a time and in order:
// nothing is lost while the provider is down, each try waits longer, and after the last one the
// message says it failed (agents see it in the inbox).

export const ChannelSend = z.object({ installId: z.uuid(), message: OutboundMessage, seq: z.number().int() });
export type ChannelSend = z.infer<typeof ChannelSend>;

export type SendOutcome =
  | { status: "sent"; externalIds: string[] }
  | { status: "retry"; reason: string; afterSeconds?: number }
  | { status: "failed"; reason: string };

/** Hands one reply to its channel's plugin (plugins/channel-send.ts). */
export type ChannelSender = (tenantId: string, send: ChannelSend) => Promise<SendOutcome>;

/** Waits between tries: the provider may be down for hours; after the last, the reply has failed. */
export const SEND_BACKOFF_SECONDS = [5, 30, 120, 600, 1800, 3600, 7200, 14_400] as const;

/** How far a reply got: a provider's receipt never moves it back (a late "sent" after "read"). */
const PROGRESS = { retrying: 0, sent: 1, delivered: 2, read: 3, failed: 4 } as const;

/** A provider's receipt on a reply, if it moves the reply's state on. */
export function applyReceipt(
  core: ConversationCore,
  seq: number,
  receipt: { status: "sent" | "delivered" | "read" | "failed"; reason?: string },
): boolean {
  const message = core.store.message(seq);
  if (!message) return false;
  const current = (message.data.delivery as { status?: keyof typeof PROGRESS } | undefined)?.status;
  if (current && PROGRESS[current] >= PROGRESS[receipt.status] && receipt.status !== "failed") return true;
  const previous = (message.data.delivery ?? {}) as Record<string, unknown>;
  core.markDelivery(seq, {
    ...previous,
    status: receipt.status,
    at: new Date().toISOString(),
    ...(receipt.reason ? { reason: receipt.reason } : {}),
  });
  return true;
}

/** At most this many replies per pass; the alarm takes the rest. */
const PER_PASS = 20;

/** Sends the waiting replies that are due; how many went out (their copies then wait for Postgres). */
export async function drainSends(
  core: ConversationCore,
  tenantId: string,
  sender: ChannelSender,
  dueBy: number,
): Promise<number> {
  const log = createLogger({ conversation: core.loadMeta()?.id, outbox: "send" });
  let sent = 0;
  for (let i = 0; i < PER_PASS; i++) {
    const row = core.store.first("send");
    if (!row || row.next_at > dueBy) return sent;
    const parsed = ChannelSend.safeParse(JSON.parse(row.payload));
    if (!parsed.success) {
      core.store.park(row.id, `not a valid reply: ${parsed.error.message}`);
      continue;
    }
    const send = parsed.data;
    const outcome = await sender(tenantId, send).catch(
      (error: unknown): SendOutcome => ({ status: "retry", reason: String(error).slice(0, 300) }),
    );
    const at = new Date().toISOString();
    if (outcome.status === "sent") {
      core.store.acknowledge([row.id]);
      core.markDelivery(send.seq, { status: "sent", at, externalIds: outcome.externalIds });
      // The provider's ids, for its receipts (delivered, read) to find this message.
      core.store.enqueue("pg", {
        t: "channel_message",
        installId: send.installId,
        conversationId: send.message.conversationId,
        seq: send.seq,
        externalIds: outcome.externalIds.filter(Boolean),
      } satisfies PgItem);
      sent++;
      continue;
    }
    const attempts = row.attempts + 1;
    if (outcome.status === "failed" || attempts >= SEND_BACKOFF_SECONDS.length) {
      core.store.park(row.id, outcome.reason);
      core.markDelivery(send.seq, { status: "failed", at, reason: outcome.reason, attempts });
      log.warn("channel reply failed for good", { seq: send.seq, reason: outcome.reason, attempts });
      continue;
    }
    const wait = Math.max(outcome.afterSeconds ?? 0, SEND_BACKOFF_SECONDS[attempts - 1] ?? 60);
    core.store.retryAt(row.id, Date.now() + wait * 1000);
    core.markDelivery(send.seq, { status: "retrying", at, reason: outcome.reason, attempts });
    // Later replies wait behind this one: the customer reads them in order.
    return sent;
  }
  return sent;
}
