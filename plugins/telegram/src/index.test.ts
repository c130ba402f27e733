import { TestHost } from "@autopilot/sdk/testing";
import { describe, expect, it } from "vitest";
import plugin from "./index.js";

const config = {
  botToken: "123456:TEST-token",
  webhookSecret: "s3cret-s3cret-s3cret",
  greeting: "Hello there!",
};
const api = "https://api.telegram.org/bot123456:TEST-token";

const update = (id: number, text: string, chatId = 42) => ({
  update_id: id,
  message: {
    message_id: id,
    chat: { id: chatId, type: "private" },
    from: { id: 7, first_name: "Ada" },
    text,
  },
});
const hook = (body: unknown, secret = config.webhookSecret) => ({
  kind: "webhook" as const,
  name: "updates",
  request: {
    method: "POST",
    url: "/v1/hooks/x/updates",
    headers: { "x-telegram-bot-api-secret-token": secret, "content-type": "application/json" },
    body: JSON.stringify(body),
  },
});
const outbound = (text: string, quickReplies: string[] = []) => ({
  kind: "send" as const,
  message: {
    conversationId: "00000000-0000-4000-8000-0000000000aa",
    threadId: "42",
    messageId: `m-${text.length}-${quickReplies.length}`,
    sender: "bot" as const,
    text,
    quickReplies,
    lastInboundAt: null,
  },
});
const okAnswer = (id = 1) => Response.json({ ok: true, result: { message_id: id } });

describe("telegram channel", () => {
  it("registers its webhook with the secret Telegram must echo", async () => {
    const host = new TestHost(plugin, config).answer(() => Response.json({ ok: true, result: true }));
    const out = await host.call({
      kind: "install",
      hooks: { updates: "https://api.example.com/v1/hooks/i/updates" },
    });
    expect(out).toEqual({ ok: true, value: null });
    expect(host.requests.map((r) => [r.url, JSON.parse(r.body)])).toEqual([
      [
        `${api}/setWebhook`,
        {
          url: "https://api.example.com/v1/hooks/i/updates",
          secret_token: config.webhookSecret,
          allowed_updates: ["message"],
        },
      ],
    ]);
  });

  it("refuses an update without the secret, and appends nothing", async () => {
    const host = new TestHost(plugin, config);
    const out = await host.call(hook(update(1, "hi"), "wrong-secret-wrong"));
    expect(out).toEqual({ ok: true, value: { status: 401, body: "wrong secret token" } });
    expect(host.inbound).toEqual([]);
  });

  it("appends a customer's message to the chat's thread once, however often Telegram delivers it", async () => {
    const host = new TestHost(plugin, config);
    for (let i = 0; i < 2; i++)
      expect(await host.call(hook(update(10, "I want a quote")))).toMatchObject({ ok: true });
    expect(host.inbound).toEqual([
      {
        threadId: "42",
        messageId: "10",
        sender: { id: "7", name: "Ada" },
        text: "I want a quote",
        attachments: [],
      },
    ]);
  });

  it("greets /start without starting a conversation", async () => {
    const host = new TestHost(plugin, config).answer(() => okAnswer());
    await host.call(hook(update(11, "/start")));
    expect(host.inbound).toEqual([]);
    expect(host.requests.map((r) => JSON.parse(r.body))).toEqual([{ chat_id: 42, text: "Hello there!" }]);
  });

  it("sends a long reply as several messages, the choices as a reply keyboard on the last", async () => {
    let id = 0;
    const host = new TestHost(plugin, config).answer(() => okAnswer(++id));
    const text = `${"word ".repeat(1000)}\n${"more ".repeat(900)}`;
    const out = await host.call(outbound(text, ["Basic", "Pro"]));
    expect(out).toEqual({ ok: true, value: { status: "sent", externalIds: ["1", "2", "3"] } });
    const bodies = host.requests.map((r) => JSON.parse(r.body));
    expect(bodies.every((b) => b.text.length <= 4096 && b.chat_id === "42")).toBe(true);
    // Nothing lost or doubled at the cuts.
    const words = (t: string) => t.split(/\s+/).filter(Boolean);
    expect(words(bodies.map((b) => b.text).join(" "))).toEqual(words(text));
    expect(bodies[0].reply_markup).toBeUndefined();
    expect(bodies[2].reply_markup).toEqual({
      keyboard: [[{ text: "Basic" }], [{ text: "Pro" }]],
      one_time_keyboard: true,
      resize_keyboard: true,
    });
  });

  it("waits as long as a 429 says, and does not send a part twice when retried", async () => {
    let calls = 0;
    const host = new TestHost(plugin, config).answer(() =>
      ++calls === 2
        ? Response.json({ ok: false, error_code: 429, parameters: { retry_after: 7 } }, { status: 429 })
        : okAnswer(calls),
    );
    const text = "x".repeat(5000);
    expect(await host.call(outbound(text))).toEqual({
      ok: true,
      value: { status: "retry", afterSeconds: 7 },
    });
    expect(await host.call(outbound(text))).toEqual({
      ok: true,
      value: { status: "sent", externalIds: ["1", "3"] },
    });
    expect(host.requests).toHaveLength(3);
  });

  it("gives up on a chat that blocked the bot, and retries when Telegram is down", async () => {
    const blocked = new TestHost(plugin, config).answer(() =>
      Response.json({ ok: false, description: "Forbidden: bot was blocked by the user" }, { status: 403 }),
    );
    expect(await blocked.call(outbound("hi"))).toEqual({
      ok: true,
      value: { status: "failed", reason: "Forbidden: bot was blocked by the user" },
    });
    const down = new TestHost(plugin, config).answer(() => new Response("bad gateway", { status: 502 }));
    expect(await down.call(outbound("hi"))).toEqual({ ok: true, value: { status: "retry" } });
  });
});
