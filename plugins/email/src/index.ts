import { definePlugin, type InboundEmail, type OutboundMessage, type SendResult } from "@autopilot/sdk";
import { stripQuoted } from "./quoted.js";
import { isOurs, referencesAfter, replyMessageId, replySubject, rootOf, threadIdOf } from "./threading.js";

// Email as a channel: mail to the workspace's inbound address (received and parsed by the platform)
// becomes conversations, one per email thread; the assistant's and the team's replies go back as
// replies in that thread, sent through Resend's HTTP API. Written only against the SDK.

type Config = { apiKey: string; fromAddress: string; fromName?: string; apiBaseUrl?: string };

/** What a reply needs, kept with the thread by the platform (threadData): all strings. */
type ThreadData = {
  /** The customer's address and name. */
  to: string;
  name: string;
  subject: string;
  /** The workspace address they wrote to: replies name it as Reply-To, so answers come back. */
  inbox: string;
  /** The customer's latest message, which a reply answers (In-Reply-To), and the thread before it. */
  lastMessageId: string;
  references: string;
  /** The thread's first Message-ID, which our replies' Message-IDs carry. */
  root: string;
};

/** The platform takes 4,000 characters of a message. */
const MAX_TEXT = 4000;

const sizeOf = (bytes: number) =>
  bytes >= 1024 * 1024
    ? `${(bytes / 1024 / 1024).toFixed(1)} MB`
    : `${Math.max(1, Math.round(bytes / 1024))} KB`;

/** The customer's words: the new text of the mail (the subject too, on a thread's first), files named. */
function textOf(email: InboundEmail): string {
  const body = stripQuoted(email.text);
  const first = email.inReplyTo === null && email.references.length === 0;
  const subject = email.subject.trim();
  const head = first && subject && !body.startsWith(subject) ? `${subject}\n\n` : "";
  const files = email.attachments.map(
    (a) => `📎 ${a.name ?? "attachment"} (${a.contentType}, ${sizeOf(a.size)}; in the customer's email)`,
  );
  const text = [`${head}${body}`.trim(), ...files].filter(Boolean).join("\n");
  if (!text) return subject || "(an empty email)";
  return text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT - 1)}…` : text;
}

/** A display name as a header takes it: quoted, without the characters that would end the quote. */
const mailbox = (address: string, name?: string) =>
  name?.trim() ? `"${name.replace(/["\\\r\n]/g, "").trim()}" <${address}>` : address;

/** A playbook's choices, which a mail cannot show as buttons, as a line to answer with. */
const withChoices = (text: string, choices: string[]) =>
  choices.length === 0 ? text : `${text}\n\nYou can answer with: ${choices.join(" · ")}`;

type ResendAnswer = { id?: string; message?: string; name?: string };

async function sendReply(
  message: OutboundMessage,
  config: Config,
  fetcher: typeof fetch,
): Promise<SendResult> {
  const thread = message.threadData as Partial<ThreadData>;
  if (!thread.to) return { status: "failed", reason: "this conversation has no email address to reply to" };
  const domain = config.fromAddress.split("@")[1] ?? "localhost";
  const base = (config.apiBaseUrl || "https://api.resend.com").replace(/\/+$/, "");
  const response = await fetcher(`${base}/emails`, {
    method: "POST",
    headers: {
      authorization: `Bearer ${config.apiKey}`,
      "content-type": "application/json",
      // Resend sends a request with a key it has seen once: a retried reply is never a second mail.
      "idempotency-key": `reply-${message.messageId}`.slice(0, 256),
    },
    body: JSON.stringify({
      from: mailbox(config.fromAddress, config.fromName),
      to: [mailbox(thread.to, thread.name)],
      subject: replySubject(thread.subject ?? ""),
      text: withChoices(message.text, message.quickReplies),
      ...(thread.inbox ? { reply_to: thread.inbox } : {}),
      headers: {
        "Message-ID": replyMessageId(message.messageId, thread.root ?? message.threadId, domain),
        ...(thread.lastMessageId ? { "In-Reply-To": thread.lastMessageId } : {}),
        ...(thread.references ? { References: thread.references } : {}),
      },
    }),
  }).catch(() => null);
  // Unreachable: the platform tries again later.
  if (!response) return { status: "retry" };
  const answer = (await response.json().catch(() => ({}))) as ResendAnswer;
  if (response.ok && answer.id) return { status: "sent", externalIds: [answer.id] };
  if (response.status === 429) {
    const after = Number(response.headers.get("retry-after"));
    return { status: "retry", afterSeconds: Number.isFinite(after) && after >= 1 ? Math.ceil(after) : 5 };
  }
  // A bad address or a sender domain Resend does not send for: this mail will never go.
  if (response.status === 400 || response.status === 422)
    return { status: "failed", reason: `Resend refused the mail: ${answer.message ?? response.status}` };
  // A wrong or revoked key (401, 403) is fixed in the settings: keep trying until then; 5xx too.
  return { status: "retry" };
}

export default definePlugin({
  manifest: {
    id: "autopilot/email",
    name: "Email",
    version: "1.0.0",
    engine: "^1.2.0",
    description:
      "Customers email your workspace's address; each thread is a conversation in the inbox, answered by your assistant and your team in the same thread.",
    kinds: ["channel"],
    permissions: ["conversations:write"],
    egress: ["api.resend.com"],
    channel: { id: "email", name: "Email" },
    config: {
      type: "object",
      required: ["apiKey", "fromAddress"],
      properties: {
        apiKey: {
          type: "string",
          title: "Resend API key",
          description: "From resend.com → API Keys, with sending access (re_…).",
          minLength: 8,
          maxLength: 200,
          secret: true,
        },
        fromAddress: {
          type: "string",
          format: "email",
          title: "Send replies from",
          description: "An address on a domain you verified with Resend, e.g. support@yourcompany.com.",
        },
        fromName: {
          type: "string",
          title: "Sender name",
          description: "Shown as who the replies are from, e.g. Acme Support.",
          maxLength: 100,
        },
        apiBaseUrl: {
          type: "string",
          format: "uri",
          title: "Resend API",
          description: "Leave as it is, unless you try it against a local fake.",
          default: "https://api.resend.com",
        },
      },
    },
  },

  channel: {
    async receiveEmail(email, ctx) {
      // Auto-replies and bounces are not customers: answering them could loop between two robots.
      if (email.automatic || isOurs(email.messageId)) {
        ctx.log.info("automatic email not taken", { messageId: email.messageId });
        return;
      }
      const threadData: ThreadData = {
        to: email.from.address,
        name: email.from.name ?? "",
        subject: email.subject,
        inbox: email.to,
        lastMessageId: email.messageId,
        references: referencesAfter(email.references, email.messageId).join(" "),
        root: rootOf(email),
      };
      await ctx.conversations.appendInbound({
        threadId: threadIdOf(email),
        messageId: email.messageId,
        sender: {
          id: email.from.address,
          email: email.from.address,
          ...(email.from.name ? { name: email.from.name } : {}),
        },
        text: textOf(email),
        threadData,
      });
    },

    send: (message, ctx) => sendReply(message, ctx.config as Config, ctx.fetch),
  },
});
