import { type Database, lookups, openDatabase } from "@autopilot/db";
import { InboundEmail } from "@autopilot/sdk";
import PostalMime, { type Email } from "postal-mime";
import { z } from "zod";
import { DEFAULT_INBOUND_DOMAIN, inboundLocalPart } from "../domain/inbound-email.js";
import type { Env } from "../env.js";
import type { Logger } from "../lib/log.js";
import { listInstalls } from "./installs.js";

// The Email Worker's way in: mail to a workspace's inbound address is parsed here and queued for the
// workspace's email channel plugin (plugins/email), which threads it into a conversation. Queued, so a
// plugin that is down or paused loses nothing: the deliveries consumer retries it with backoff.
// Refused (the sender's server bounces it, saying why): an unknown address, a workspace without an
// email channel, a message too large or not parseable.

/** Cloudflare's Email Routing takes up to 25 MiB; conversations need far less (files are not kept). */
export const MAX_EMAIL_BYTES = 10 * 1024 * 1024;
/** Body text kept: the reply on top is what a conversation needs, and a queue message holds 128 KB. */
export const MAX_EMAIL_TEXT = 30_000;

export const EmailDelivery = z.object({
  kind: z.literal("email"),
  tenantId: z.uuid(),
  installId: z.uuid(),
  email: InboundEmail,
});
export type EmailDelivery = z.infer<typeof EmailDelivery>;

type Incoming = Pick<ForwardableEmailMessage, "from" | "to" | "raw" | "rawSize" | "setReject">;

/**
 * The workspace's email channel: the oldest active one, else a paused one (its mail waits in the queue
 * until it is resumed, within the queue's tries); null when it has none.
 */
async function emailChannelOf(db: Database, tenantId: string): Promise<string | null> {
  const channels = (await listInstalls(db, tenantId)).filter(
    (i) => i.manifest.channel?.id === "email" && i.grantedPermissions.includes("conversations:write"),
  );
  return (channels.find((i) => i.status === "active") ?? channels[0])?.id ?? null;
}

const bracketed = (id: string) => (id.startsWith("<") ? id : `<${id}>`);
const idsIn = (header: string | undefined) => (header?.match(/<[^<>\s]+>/g) ?? []).slice(-100);

/** Auto-replies, bounces and list mail (RFC 3834 and the common markers): never answered. */
function isAutomatic(parsed: Email, envelopeFrom: string): boolean {
  const header = (key: string) =>
    parsed.headers
      .find((h) => h.key === key)
      ?.value.trim()
      .toLowerCase();
  const submitted = header("auto-submitted");
  if (submitted && submitted !== "no") return true;
  if (["bulk", "junk", "list", "auto_reply"].includes(header("precedence") ?? "")) return true;
  if (header("x-autoreply") || header("x-autorespond") || header("list-id")) return true;
  return envelopeFrom === "" || /^(mailer-daemon|postmaster)@/i.test(envelopeFrom);
}

/**
 * What the receiving server (Cloudflare's Email Routing, whose Authentication-Results header is the
 * topmost) found wrong with the sender, if anything: a From that failed DMARC, or SPF failing with no
 * DKIM signature passing. Such mail is refused, so no one writes into a customer's conversation under
 * their address. Without the header (local runs) nothing is judged.
 */
export function failedAuthentication(parsed: Pick<Email, "headers">): string | null {
  const top = parsed.headers.find((h) => h.key === "authentication-results")?.value.toLowerCase();
  if (!top) return null;
  if (/\bdmarc=fail\b/.test(top)) return "DMARC";
  if (/\bspf=fail\b/.test(top) && !/\bdkim=pass\b/.test(top)) return "SPF";
  return null;
}

/** The parsed message as the plugin gets it; null when it has no usable sender. */
export function toInboundEmail(parsed: Email, envelope: { from: string; to: string }): InboundEmail | null {
  const from = parsed.from && "address" in parsed.from ? parsed.from : undefined;
  const address = (from?.address || envelope.from).toLowerCase();
  if (!z.email().safeParse(address).success) return null;
  const date = parsed.date ? new Date(parsed.date) : null;
  // A message without a Message-ID (rare) gets one from its content, so a repeat is still a repeat.
  const messageId = parsed.messageId
    ? bracketed(parsed.messageId.trim())
    : `<${address}.${(parsed.date ?? "").replace(/\W/g, "")}.${(parsed.text ?? "").length}@no-message-id>`;
  const inReplyTo = idsIn(parsed.inReplyTo)[0] ?? null;
  return InboundEmail.parse({
    messageId,
    inReplyTo,
    references: idsIn(parsed.references),
    from: { address, ...(from?.name ? { name: from.name.slice(0, 200) } : {}) },
    to: envelope.to.toLowerCase(),
    subject: (parsed.subject ?? "").slice(0, 998),
    date: date && !Number.isNaN(date.getTime()) ? date.toISOString() : null,
    text: (parsed.text ?? "").slice(0, MAX_EMAIL_TEXT),
    attachments: parsed.attachments
      .filter((a) => a.disposition !== "inline" || !a.related)
      .slice(0, 50)
      .map((a) => ({
        name: a.filename?.slice(0, 200) ?? null,
        contentType: a.mimeType.slice(0, 200),
        size: typeof a.content === "string" ? a.content.length : a.content.byteLength,
      })),
    automatic: isAutomatic(parsed, envelope.from),
  });
}

export async function receiveEmail(message: Incoming, env: Env, log: Logger): Promise<void> {
  const domain = env.INBOUND_EMAIL_DOMAIN || DEFAULT_INBOUND_DOMAIN;
  const local = inboundLocalPart(message.to, domain);
  if (!local) return message.setReject("No such mailbox here");
  if (message.rawSize > MAX_EMAIL_BYTES)
    return message.setReject(`Message too large: at most ${MAX_EMAIL_BYTES / 1024 / 1024} MB are taken`);
  const db = openDatabase({ url: env.DATABASE_URL, bridge: env.DB_BRIDGE });
  try {
    const tenantId = await lookups.inboundEmailTenant(db, local);
    if (!tenantId) return message.setReject("No such mailbox here");
    const installId = await emailChannelOf(db, tenantId);
    if (!installId) return message.setReject("This address takes no email yet");
    let parsed: Email;
    try {
      parsed = await PostalMime.parse(message.raw, { maxPartCount: 500 });
    } catch (error) {
      log.warn("inbound email not parseable", { tenant: tenantId, error: String(error) });
      return message.setReject("The message could not be read");
    }
    const failed = failedAuthentication(parsed);
    if (failed) return message.setReject(`The sender could not be verified (${failed} failed)`);
    const email = toInboundEmail(parsed, { from: message.from, to: message.to });
    if (!email) return message.setReject("The message has no sender address");
    const delivery: EmailDelivery = { kind: "email", tenantId, installId, email };
    await env.PLUGIN_DELIVERIES.send(delivery);
    log.info("inbound email queued", { tenant: tenantId, install: installId, messageId: email.messageId });
  } finally {
    await db.end();
  }
}
