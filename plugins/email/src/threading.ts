import type { InboundEmail } from "@autopilot/sdk";

// Email threads: a conversation per customer and thread, the thread named by its first Message-ID (its
// root). A reply names its root in References (oldest first) and In-Reply-To; the Message-IDs of our
// own replies carry the root too, so a customer's answer to one of them finds its conversation even
// when their mail program kept only In-Reply-To. The sender is part of the thread: someone who learnt
// a thread's Message-IDs still cannot write into another customer's conversation.

const OURS = /^<ap\.[^.@]+\.([A-Za-z0-9_-]+)@[^>]+>$/;

const toBase64Url = (text: string) =>
  btoa(String.fromCharCode(...new TextEncoder().encode(text)))
    .replaceAll("+", "-")
    .replaceAll("/", "_")
    .replace(/=+$/, "");

function fromBase64Url(encoded: string): string | null {
  try {
    const binary = atob(encoded.replaceAll("-", "+").replaceAll("_", "/"));
    return new TextDecoder("utf-8", { fatal: true }).decode(Uint8Array.from(binary, (c) => c.charCodeAt(0)));
  } catch {
    return null;
  }
}

/** A Message-ID this plugin gave one of its replies (a reply of ours coming back is not the customer's). */
export const isOurs = (messageId: string) => OURS.test(messageId);

/** The Message-ID of our reply `replyId` in the thread `root`: the same on every try (a retry is not a new mail). */
export function replyMessageId(replyId: string, root: string, domain: string): string {
  const id = replyId.replace(/[^A-Za-z0-9-]/g, "").slice(0, 64) || "reply";
  return `<ap.${id}.${toBase64Url(root)}@${domain}>`;
}

/** The root of the thread an inbound email belongs to: in ours it answers, else its first Reference. */
export function rootOf(email: Pick<InboundEmail, "messageId" | "inReplyTo" | "references">): string {
  const answered = [email.inReplyTo, ...[...email.references].reverse()].filter(
    (id): id is string => id !== null,
  );
  for (const id of answered) {
    const thread = OURS.exec(id)?.[1];
    const decoded = thread ? fromBase64Url(thread) : null;
    if (decoded) return decoded;
  }
  return email.references[0] ?? email.inReplyTo ?? email.messageId;
}

/** "Re: " once, whatever the customer's program put there ("RE:", "Re: Re:", "AW:"). */
export function replySubject(subject: string): string {
  const bare = subject.replace(/^\s*((re|aw|sv|antw|r)\s*:\s*)+/i, "").trim();
  return `Re: ${bare || "Your message"}`;
}

/** The References of a reply to `messageId`: the thread's, then it; the first and the latest 19 kept. */
export function referencesAfter(references: string[], messageId: string): string[] {
  const all = [...references.filter((r) => r !== messageId), messageId];
  return all.length <= 20 ? all : [all[0] as string, ...all.slice(-19)];
}

/** The platform's thread id: the customer's address and the root (at most 300 characters). */
export const threadIdOf = (email: Pick<InboundEmail, "from" | "messageId" | "inReplyTo" | "references">) =>
  `${email.from.address} ${rootOf(email)}`.slice(0, 300);
