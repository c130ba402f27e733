import {
  definePlugin,
  PluginError,
  type SendResult,
  sameSecret,
  sendInParts,
  splitMessage,
} from "@autopilot/sdk";
import { MAX_TEXT, textOf, type Update } from "./telegram.js";

// Telegram as a channel: customers write to the workspace's bot; each chat is a conversation in the
// inbox, answered by the assistant and the team. Written only against the SDK.

type Config = { botToken: string; webhookSecret: string; greeting?: string; apiBaseUrl?: string };

const apiOf = (config: Record<string, unknown>) => {
  const c = config as Config;
  const base = (c.apiBaseUrl || "https://api.telegram.org").replace(/\/+$/, "");
  return (method: string) => `${base}/bot${c.botToken}/${method}`;
};

type BotAnswer = {
  ok: boolean;
  result?: { message_id?: number };
  description?: string;
  parameters?: { retry_after?: number };
};

async function callBot(
  fetcher: typeof fetch,
  url: string,
  body: unknown,
): Promise<{ status: number; answer: BotAnswer }> {
  const res = await fetcher(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  const answer = (await res
    .json()
    .catch(() => ({ ok: false, description: `HTTP ${res.status}` }))) as BotAnswer;
  return { status: res.status, answer };
}

export default definePlugin({
  manifest: {
    id: "autopilot/telegram",
    name: "Telegram",
    version: "1.0.0",
    engine: "^1.0.0",
    description:
      "Customers chat with your assistant and your team through your Telegram bot, in the same inbox.",
    kinds: ["channel"],
    permissions: ["conversations:write", "storage"],
    egress: ["api.telegram.org"],
    channel: { id: "telegram", name: "Telegram" },
    webhooks: [{ name: "updates" }],
    config: {
      type: "object",
      required: ["botToken", "webhookSecret"],
      properties: {
        botToken: {
          type: "string",
          title: "Bot token",
          description: "From @BotFather: /newbot, then the token it gives (123456:ABC…).",
          pattern: "^[0-9]+:[A-Za-z0-9_-]+$",
          secret: true,
        },
        webhookSecret: {
          type: "string",
          title: "Webhook secret",
          description:
            "16–256 letters, digits, _ or -: Telegram sends it with every update, and others cannot.",
          pattern: "^[A-Za-z0-9_-]{16,256}$",
          secret: true,
        },
        greeting: {
          type: "string",
          title: "Answer to /start",
          default: "Hi! How can we help you today?",
          maxLength: 1000,
        },
        apiBaseUrl: {
          type: "string",
          format: "uri",
          title: "Bot API server",
          description: "Leave as it is, unless you run your own Bot API server (or a local fake).",
          default: "https://api.telegram.org",
        },
      },
    },
  },

  // Points the bot's webhook at this install, with the secret Telegram must echo.
  async onInstall({ hooks }, ctx) {
    const url = hooks.updates;
    if (!url) throw new PluginError("not_handled", "no updates webhook to register");
    const { answer } = await callBot(ctx.fetch, apiOf(ctx.config)("setWebhook"), {
      url,
      secret_token: (ctx.config as Config).webhookSecret,
      allowed_updates: ["message"],
    });
    if (!answer.ok)
      throw new PluginError(
        "setup_failed",
        `Telegram refused the webhook: ${answer.description ?? "no reason given"}`,
      );
    ctx.log.info("webhook registered", { url });
  },

  async onWebhook(_name, request, ctx) {
    if (request.method !== "POST") return { status: 405, body: "POST only" };
    const secret = request.headers["x-telegram-bot-api-secret-token"] ?? "";
    if (!sameSecret(secret, (ctx.config as Config).webhookSecret)) {
      ctx.log.warn("update refused: wrong secret token");
      return { status: 401, body: "wrong secret token" };
    }
    let update: Update;
    try {
      update = JSON.parse(request.body) as Update;
    } catch {
      return { status: 400, body: "not JSON" };
    }
    const message = update.message;
    if (typeof update.update_id !== "number" || !message?.chat) return { status: 200, body: "ignored" };
    const text = textOf(message).trim();
    if (!text) return { status: 200, body: "ignored" };
    const threadId = String(message.chat.id);
    if (/^\/start(\s|@|$)/.test(text)) {
      const greeting = (ctx.config as Config).greeting || "Hi! How can we help you today?";
      await callBot(ctx.fetch, apiOf(ctx.config)("sendMessage"), {
        chat_id: message.chat.id,
        text: greeting,
      });
      return { status: 200, body: "ok" };
    }
    const from = message.from;
    const name = [from?.first_name, from?.last_name].filter(Boolean).join(" ") || from?.username;
    await ctx.conversations.appendInbound({
      threadId,
      messageId: String(update.update_id),
      sender: {
        id: String(from?.id ?? message.chat.id),
        ...(name ? { name } : {}),
        ...(message.contact?.phone_number ? { phone: message.contact.phone_number } : {}),
      },
      text,
    });
    return { status: 200, body: "ok" };
  },

  channel: {
    // Long replies go as several messages; those already sent are not sent again on a retry.
    async send(message, ctx): Promise<SendResult> {
      const parts = splitMessage(message.text, MAX_TEXT);
      return sendInParts(ctx.storage, message.messageId, parts, async (text, i) => {
        const last = i === parts.length - 1;
        const keyboard =
          last && message.quickReplies.length > 0
            ? {
                reply_markup: {
                  keyboard: message.quickReplies.map((q) => [{ text: q }]),
                  one_time_keyboard: true,
                  resize_keyboard: true,
                },
              }
            : {};
        const reply = await callBot(ctx.fetch, apiOf(ctx.config)("sendMessage"), {
          chat_id: message.threadId,
          text,
          ...keyboard,
        }).catch(() => null);
        // Unreachable: the platform tries again later (not a failure of the plugin's own).
        if (!reply) return { status: "retry" };
        const { status, answer } = reply;
        if (status === 429)
          return { status: "retry", afterSeconds: Math.max(1, answer.parameters?.retry_after ?? 5) };
        // Blocked by the customer, or no such chat: it will never go.
        if (status === 403 || status === 400)
          return { status: "failed", reason: answer.description ?? `Telegram answered ${status}` };
        if (!answer.ok) return { status: "retry" };
        return String(answer.result?.message_id ?? "");
      });
    },
  },
});
