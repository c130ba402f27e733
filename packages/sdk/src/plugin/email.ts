import { z } from "zod";

// Email as a channel: the platform receives mail at each workspace's inbound address (an Email
// Worker), parses it and hands it to the workspace's email channel plugin (`channel.receiveEmail`),
// which threads it into a conversation and sends the replies through its provider.

/** A Message-ID, In-Reply-To or References entry as written in headers: `<local@domain>`. */
const MessageId = z.string().trim().min(3).max(998);

/** An email as the platform parsed it (the raw message never reaches the plugin). */
export const InboundEmail = z.object({
  /** The message's own Message-ID, with its angle brackets. */
  messageId: MessageId,
  /** The Message-ID it answers, when it answers one. */
  inReplyTo: MessageId.nullable(),
  /** The thread's Message-IDs, oldest first (the References header). */
  references: z.array(MessageId).max(100),
  from: z.object({ address: z.email(), name: z.string().max(200).optional() }),
  /** The workspace address it was delivered to: replies go out with it as Reply-To. */
  to: z.email(),
  subject: z.string().max(998),
  /** The sender's Date header, ISO, when it had a valid one. */
  date: z.string().nullable(),
  /** The plain-text body (the HTML part turned into text when there was none), quotes and all. */
  text: z.string().max(100_000),
  /** Files attached (named only: the platform keeps no copies). */
  attachments: z
    .array(
      z.object({
        name: z.string().max(200).nullable(),
        contentType: z.string().max(200),
        size: z.number().int().min(0),
      }),
    )
    .max(50),
  /** An automatic message (auto-reply, bounce, list mail): answering it could start a mail loop. */
  automatic: z.boolean(),
});
export type InboundEmail = z.infer<typeof InboundEmail>;
