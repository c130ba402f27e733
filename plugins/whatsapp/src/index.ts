import { definePlugin, type SendResult, sameSecret, sendInParts, splitMessage } from "@autopilot/sdk";
import { insideWindow, MAX_TEXT, type Payload, textOf, validSignature } from "./whatsapp.js";

// WhatsApp (Cloud API) as a channel: customers message the workspace's business number; each number
// is a conversation in the inbox; replies go back as text inside WhatsApp's 24-hour window and as the
// configured template outside it; delivery receipts are shown on the replies. Written only against the SDK.

type Config = {
  accessToken: string;
  appSecret: string;
  verifyToken: string;
  phoneNumberId: string;
  templateName?: string;
  templateLanguage?: string;
  apiBaseUrl?: string;
};

type GraphAnswer = { messages?: { id?: string }[]; error?: { code?: number; message?: string } };

/** Meta's codes for "too many messages now": wait and try again. */
const THROTTLED = new Set([4, 80007, 130429, 131056]);
const STATUS = { sent: "sent", delivered: "delivered", read: "read", failed: "failed" } as const;

export default definePlugin({
  manifest: {
    id: "autopilot/whatsapp",
    name: "WhatsApp",
    version: "1.0.0",
    engine: "^1.0.0",
    description:
      "Customers chat with your assistant and your team on WhatsApp (Cloud API), in the same inbox.",
    kinds: ["channel"],
    permissions: ["conversations:write", "storage"],
    egress: ["graph.facebook.com"],
    channel: { id: "whatsapp", name: "WhatsApp" },
    webhooks: [{ name: "events" }],
    config: {
      type: "object",
      required: ["accessToken", "appSecret", "verifyToken", "phoneNumberId"],
      properties: {
        phoneNumberId: {
          type: "string",
          title: "Phone number ID",
          description:
            "WhatsApp → API Setup in your Meta app: the ID of the business number (not the number).",
          pattern: "^[0-9]{5,30}$",
        },
        accessToken: {
          type: "string",
          title: "Access token",
          description: "A system user's permanent token.",
          secret: true,
        },
        appSecret: {
          type: "string",
          title: "App secret",
          description: "App settings → Basic: every webhook call is checked against it.",
          secret: true,
        },
        verifyToken: {
          type: "string",
          title: "Verify token",
          description: "Any phrase of yours; enter the same in the Meta app's webhook settings.",
          minLength: 8,
          secret: true,
        },
        templateName: {
          type: "string",
          title: "Template for replies after 24 hours",
          description:
            "An approved template that invites the customer back; without one such replies are not delivered.",
        },
        templateLanguage: { type: "string", title: "Template language", default: "en" },
        apiBaseUrl: {
          type: "string",
          format: "uri",
          title: "Graph API",
          description: "Leave as it is (a local fake for testing only).",
          default: "https://graph.facebook.com/v21.0",
        },
      },
    },
  },

  async onWebhook(_name, request, ctx) {
    const config = ctx.config as Config;
    // Meta's verification handshake when the webhook is set up in the app's settings.
    if (request.method === "GET") {
      const q = new URL(request.url, "https://hook.local").searchParams;
      const ok =
        q.get("hub.mode") === "subscribe" && sameSecret(q.get("hub.verify_token") ?? "", config.verifyToken);
      return ok
        ? { status: 200, body: q.get("hub.challenge") ?? "", contentType: "text/plain" }
        : { status: 403, body: "verify token does not match" };
    }
    if (request.method !== "POST") return { status: 405, body: "GET or POST" };
    if (!(await validSignature(request.body, request.headers["x-hub-signature-256"], config.appSecret))) {
      ctx.log.warn("event refused: bad signature");
      return { status: 401, body: "bad signature" };
    }
    let payload: Payload;
    try {
      payload = JSON.parse(request.body) as Payload;
    } catch {
      return { status: 400, body: "not JSON" };
    }
    for (const entry of payload.entry ?? [])
      for (const change of entry.changes ?? []) {
        const value = change.value;
        // One app may serve several numbers: only this install's number is ours.
        if (change.field !== "messages" || value?.metadata?.phone_number_id !== config.phoneNumberId)
          continue;
        for (const m of value.messages ?? []) {
          const text = textOf(m).trim();
          if (!text) continue;
          const name = value.contacts?.find((c) => c.wa_id === m.from)?.profile?.name;
          await ctx.conversations.appendInbound({
            threadId: m.from,
            messageId: m.id,
            sender: { id: m.from, phone: `+${m.from}`, ...(name ? { name } : {}) },
            text,
          });
        }
        for (const s of value.statuses ?? []) {
          const status = STATUS[s.status as keyof typeof STATUS];
          if (!status) continue;
          await ctx.conversations.updateDelivery({
            externalId: s.id,
            status,
            ...(s.errors?.[0]?.title ? { reason: s.errors[0].title } : {}),
          });
        }
      }
    return { status: 200, body: "ok" };
  },

  channel: {
    async send(message, ctx): Promise<SendResult> {
      const config = ctx.config as Config;
      const base = (config.apiBaseUrl || "https://graph.facebook.com/v21.0").replace(/\/+$/, "");
      const post = async (body: Record<string, unknown>) => {
        const res = await ctx
          .fetch(`${base}/${config.phoneNumberId}/messages`, {
            method: "POST",
            headers: { authorization: `Bearer ${config.accessToken}`, "content-type": "application/json" },
            body: JSON.stringify({
              messaging_product: "whatsapp",
              recipient_type: "individual",
              to: message.threadId,
              ...body,
            }),
          })
          .catch(() => null);
        if (!res) return { retry: true as const };
        const answer = (await res.json().catch(() => ({}))) as GraphAnswer;
        return { res, answer };
      };
      const outcome = (r: Awaited<ReturnType<typeof post>>): SendResult | string => {
        if ("retry" in r) return { status: "retry" };
        const { res, answer } = r;
        const code = answer.error?.code;
        if (res.status === 429 || (code !== undefined && THROTTLED.has(code))) {
          const after = Number(res.headers.get("retry-after"));
          return { status: "retry", ...(after > 0 ? { afterSeconds: Math.ceil(after) } : {}) };
        }
        if (res.status >= 500) return { status: "retry" };
        const id = answer.messages?.[0]?.id;
        if (!res.ok || !id)
          return { status: "failed", reason: answer.error?.message ?? `WhatsApp answered ${res.status}` };
        return id;
      };

      // Outside the 24-hour window only a template may go.
      if (!insideWindow(message.lastInboundAt)) {
        if (!config.templateName)
          return { status: "failed", reason: "outside WhatsApp's 24-hour window, and no template is set" };
        const r = outcome(
          await post({
            type: "template",
            template: { name: config.templateName, language: { code: config.templateLanguage || "en" } },
          }),
        );
        return typeof r === "string" ? { status: "sent", externalIds: [r] } : r;
      }
      // A playbook's choices as reply buttons, where WhatsApp allows them (up to 3, 20 characters each).
      const buttons =
        message.quickReplies.length > 0 &&
        message.quickReplies.length <= 3 &&
        message.quickReplies.every((q) => q.length <= 20) &&
        message.text.length <= 1024;
      if (buttons) {
        const r = outcome(
          await post({
            type: "interactive",
            interactive: {
              type: "button",
              body: { text: message.text },
              action: {
                buttons: message.quickReplies.map((q, i) => ({
                  type: "reply",
                  reply: { id: `q${i}`, title: q },
                })),
              },
            },
          }),
        );
        return typeof r === "string" ? { status: "sent", externalIds: [r] } : r;
      }
      return sendInParts(ctx.storage, message.messageId, splitMessage(message.text, MAX_TEXT), async (body) =>
        outcome(await post({ type: "text", text: { body, preview_url: false } })),
      );
    },
  },
});
