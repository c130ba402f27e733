// A customer's email as their mail program would send it (RFC 5322, plain text, UTF-8): for the email
// channel's tests, and for `npm run email:send`, which plays the customer locally. No Node APIs, so
// tests inside workerd use it too.

export type ComposedEmail = {
  from: string;
  fromName?: string;
  to: string;
  subject: string;
  text: string;
  /** With its angle brackets; made up when not given. */
  messageId?: string;
  inReplyTo?: string;
  references?: string[];
  /** Extra header lines (e.g. "Auto-Submitted: auto-replied"). */
  headers?: string[];
};

/** Non-ASCII header text as an RFC 2047 encoded word. */
const word = (text: string) =>
  /^[\x20-\x7e]*$/.test(text)
    ? text
    : `=?UTF-8?B?${btoa(String.fromCharCode(...new TextEncoder().encode(text)))}?=`;

export function composeEmail(e: ComposedEmail): { raw: string; messageId: string } {
  const messageId = e.messageId ?? `<${crypto.randomUUID()}@${e.from.split("@")[1] ?? "customer.test"}>`;
  const lines = [
    `From: ${e.fromName ? `"${word(e.fromName)}" ` : ""}<${e.from}>`,
    `To: <${e.to}>`,
    `Subject: ${word(e.subject)}`,
    `Date: ${new Date().toUTCString().replace("GMT", "+0000")}`,
    `Message-ID: ${messageId}`,
    ...(e.inReplyTo ? [`In-Reply-To: ${e.inReplyTo}`] : []),
    ...(e.references?.length ? [`References: ${e.references.join(" ")}`] : []),
    ...(e.headers ?? []),
    "MIME-Version: 1.0",
    "Content-Type: text/plain; charset=utf-8",
    "Content-Transfer-Encoding: 8bit",
    "",
    e.text.replace(/\r?\n/g, "\r\n"),
    "",
  ];
  return { raw: lines.join("\r\n"), messageId };
}
