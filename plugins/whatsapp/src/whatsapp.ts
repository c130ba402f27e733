import { hex, hmacSha256, sameSecret } from "@autopilot/sdk";

// WhatsApp Cloud API wire facts this channel relies on: every webhook POST is signed
// X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body under the app secret>; the verification
// GET carries hub.mode, hub.verify_token and hub.challenge; free text may only be sent within 24 hours
// of the customer's last message (a template outside it); a text body is at most 4,096 characters.

export const MAX_TEXT = 4096;
export const WINDOW_MS = 24 * 60 * 60 * 1000;

/** Checks Meta's signature of a webhook body in time that does not depend on where it differs. */
export async function validSignature(
  body: string,
  header: string | undefined,
  appSecret: string,
): Promise<boolean> {
  if (!header?.startsWith("sha256=")) return false;
  const expected = hex(await hmacSha256(appSecret, body));
  return sameSecret(header.slice("sha256=".length).toLowerCase(), expected);
}

/** The parts of a webhook payload this channel reads. */
export type Payload = {
  object?: string;
  entry?: {
    changes?: {
      field?: string;
      value?: {
        metadata?: { phone_number_id?: string };
        contacts?: { wa_id?: string; profile?: { name?: string } }[];
        messages?: {
          id: string;
          from: string;
          type: string;
          text?: { body?: string };
          button?: { text?: string };
          interactive?: { button_reply?: { title?: string }; list_reply?: { title?: string } };
          image?: { caption?: string };
          document?: { caption?: string; filename?: string };
        }[];
        statuses?: { id: string; status: string; errors?: { code?: number; title?: string }[] }[];
      };
    }[];
  }[];
};

type Message = NonNullable<
  NonNullable<NonNullable<NonNullable<Payload["entry"]>[number]["changes"]>[number]["value"]>["messages"]
>[number];

/** The customer's words in a message: text, a tapped button, a caption, or what was sent instead. */
export function textOf(m: Message): string {
  if (m.type === "text") return m.text?.body ?? "";
  if (m.type === "button") return m.button?.text ?? "";
  if (m.type === "interactive")
    return m.interactive?.button_reply?.title ?? m.interactive?.list_reply?.title ?? "";
  if (m.type === "image") return m.image?.caption || "(sent a photo)";
  if (m.type === "document")
    return m.document?.caption || `(sent a file${m.document?.filename ? `: ${m.document.filename}` : ""})`;
  return `(sent a ${m.type} message)`;
}

/** Within the 24-hour customer service window (no inbound message yet counts as outside). */
export function insideWindow(lastInboundAt: string | null, now = Date.now()): boolean {
  if (!lastInboundAt) return false;
  const at = Date.parse(lastInboundAt);
  return Number.isFinite(at) && now - at < WINDOW_MS;
}
