import { env, runInDurableObject } from "cloudflare:test";
import { afterAll, describe, expect, inject, it } from "vitest";
import { conversationStub } from "../src/conversations/client.js";
import type { ConversationDO } from "../src/conversations/conversation-do.js";
import { conversationOfThread, installBuilt, quoteRoute, transcript, until } from "./channel-helpers.js";
import { call, ownerDb, type Session, signup } from "./helpers.js";

// The first-party Telegram channel (plugins/telegram), built by the SDK as a developer's plugin would
// be, installed in a workspace and talking to a local Bot API that speaks Telegram's wire: updates
// come in through the install's webhook and become turns of the chat's conversation; the bot's and the
// agents' replies go out through the plugin, retried while Telegram is down.

const db = ownerDb();
afterAll(async () => {
  await db.end();
});

const SECRET = "test-webhook-secret-0123";
const fake = inject("fakeTelegramUrl");

type TelegramCall = { method: string; body: Record<string, unknown> };

async function telegramWorkspace(): Promise<Session & { installId: string; token: string }> {
  const s = await signup("Telegram Co");
  expect((await call("/v1/routes", { body: quoteRoute, headers: s.auth })).status).toBe(201);
  const token = `${Math.floor(Math.random() * 1e9)}:T${crypto.randomUUID().replaceAll("-", "")}`;
  const installId = await installBuilt(
    db,
    s,
    { manifest: inject("telegramManifest"), bundle: inject("telegramBundle") },
    { botToken: token, webhookSecret: SECRET, apiBaseUrl: fake, greeting: "Welcome to Telegram Co!" },
  );
  return { ...s, installId, token };
}

const calls = async (token: string): Promise<TelegramCall[]> =>
  (await (await fetch(`${fake}/calls?token=${encodeURIComponent(token)}`)).json()) as TelegramCall[];
const sent = async (token: string) => (await calls(token)).filter((c) => c.method === "sendMessage");
const control = (token: string, state: { down?: boolean; rateLimitNext?: number }) =>
  fetch(`${fake}/control`, { method: "POST", body: JSON.stringify({ token, ...state }) });

let updateId = 5000;
const update = (chatId: number, text: string, id = ++updateId) => ({
  update_id: id,
  message: {
    message_id: id,
    chat: { id: chatId, type: "private" },
    from: { id: chatId, first_name: "Tom", last_name: "Tester" },
    text,
  },
});
const post = (installId: string, body: unknown, secret = SECRET) =>
  call(`/v1/hooks/${installId}/updates`, {
    rawBody: JSON.stringify(body),
    headers: { "content-type": "application/json", "x-telegram-bot-api-secret-token": secret },
  });

/** Waits (bounded) until the bot has sent `count` messages. */
const sentAtLeast = (token: string, count: number) =>
  until(
    () => sent(token),
    (got) => got.length >= count,
  );

const threadConversation = (s: Session, installId: string, chatId: number) =>
  conversationOfThread(db, s, installId, String(chatId));

describe("Telegram channel", () => {
  it("registers its webhook with the secret, and refuses updates without it (401, nothing stored)", async () => {
    const t = await telegramWorkspace();
    expect((await calls(t.token)).filter((c) => c.method === "setWebhook")).toEqual([
      {
        method: "setWebhook",
        body: {
          url: `https://api.autopilot.test/v1/hooks/${t.installId}/updates`,
          secret_token: SECRET,
          allowed_updates: ["message"],
        },
      },
    ]);
    const refused = await post(t.installId, update(111, "I want a quote"), "not-the-secret-0000");
    expect(refused.status).toBe(401);
    const missing = await call(`/v1/hooks/${t.installId}/updates`, {
      rawBody: JSON.stringify(update(111, "hi")),
    });
    expect(missing.status).toBe(401);
    expect(await threadConversation(t, t.installId, 111)).toBeUndefined();
    const list = await call("/v1/conversations", { headers: t.auth });
    expect(list.status).toBe(200);
    expect(list.json.conversations).toEqual([]);
  });

  it("turns a Telegram user into a lead through the playbook's form; an agent's reply reaches the chat", async () => {
    const t = await telegramWorkspace();
    const chat = 2001;
    expect((await post(t.installId, update(chat, "/start"))).status).toBe(200);
    expect((await sentAtLeast(t.token, 1)).map((m) => m.body)).toEqual([
      { chat_id: chat, text: "Welcome to Telegram Co!" },
    ]);
    expect((await post(t.installId, update(chat, "I want a quote"))).status).toBe(200);
    const asked = await sentAtLeast(t.token, 2);
    expect(asked[1]?.body).toMatchObject({
      chat_id: String(chat),
      text: "Which email should the quote go to?",
    });
    // Telegram delivers an update again when it did not see the answer: it counts once.
    const again = update(chat, "tom@telegram.test");
    expect((await post(t.installId, again)).status).toBe(200);
    expect((await post(t.installId, again)).status).toBe(200);
    const thanked = await sentAtLeast(t.token, 3);
    expect(thanked[2]?.body).toMatchObject({ text: "Thanks, a quote is on its way." });

    const thread = await threadConversation(t, t.installId, chat);
    expect(thread?.contactId).toBeTruthy();
    const talk = await transcript(t, thread?.conversationId ?? "");
    expect(talk.conversation.channel).toBe("telegram");
    expect(talk.messages.filter((m) => m.sender === "visitor").map((m) => m.text)).toEqual([
      "I want a quote",
      "tom@telegram.test",
    ]);
    const leads = await call("/v1/leads", { headers: t.auth });
    expect(leads.json.leads).toHaveLength(1);
    // The reports' channel mix counts the conversation under Telegram (once the events are ingested).
    const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
    const mix = await until(
      async () =>
        (await call(`/v1/reports/channels?from=${day(-1)}&to=${day(1)}`, { headers: t.auth })).json.rows as {
          channel: string;
          conversations: number;
        }[],
      (rows) => rows.some((r) => r.channel === "telegram"),
    );
    expect(mix.map((r) => [r.channel, r.conversations])).toEqual([["telegram", 1]]);

    const reply = await call(`/v1/conversations/${thread?.conversationId}/reply`, {
      body: { text: "Hi Tom, I'm Sam from sales. Any questions about the quote?" },
      headers: t.auth,
    });
    expect(reply.status, JSON.stringify(reply.json)).toBe(200);
    const withAgent = await sentAtLeast(t.token, 4);
    expect(withAgent[3]?.body).toMatchObject({
      chat_id: String(chat),
      text: "Hi Tom, I'm Sam from sales. Any questions about the quote?",
    });
    // Every reply is marked sent on its message, for the agents (once the object has heard back).
    const statuses = async () =>
      (await transcript(t, thread?.conversationId ?? "")).messages
        .filter((m) => m.sender === "bot" || m.sender === "agent")
        .map((m) => (m.data.delivery as { status?: string } | undefined)?.status);
    const marked = await until(statuses, (all) => all.every((x) => x === "sent"));
    expect(marked).toEqual(["sent", "sent", "sent"]);
  });

  it("keeps an agent's reply while Telegram is down, and delivers it once it is back", async () => {
    const t = await telegramWorkspace();
    const chat = 3001;
    await post(t.installId, update(chat, "hello, anyone there?"));
    const thread = await threadConversation(t, t.installId, chat);
    const conversationId = thread?.conversationId ?? "";
    const before = (await sentAtLeast(t.token, 1)).length;
    await control(t.token, { down: true });
    const reply = await call(`/v1/conversations/${conversationId}/reply`, {
      body: { text: "Yes, Sam here. How can I help?" },
      headers: t.auth,
    });
    expect(reply.status).toBe(200);
    const stub = conversationStub(env, t.tenantId, conversationId);
    await runInDurableObject(stub, (instance: ConversationDO) => instance.drain(true));
    const waiting = await transcript(t, conversationId);
    const agentMessage = () => waiting.messages.find((m) => m.sender === "agent");
    expect(agentMessage()?.data.delivery).toMatchObject({ status: "retrying", attempts: 1 });
    expect((await sent(t.token)).length).toBe(before);

    await control(t.token, { down: false, rateLimitNext: 1 });
    // The first try back meets a 429: it waits as told, then goes.
    await runInDurableObject(stub, (instance: ConversationDO) => instance.drain(true));
    await runInDurableObject(stub, (instance: ConversationDO) => instance.drain(true));
    const delivered = await sent(t.token);
    expect(delivered.filter((m) => m.body.text === "Yes, Sam here. How can I help?")).toHaveLength(1);
    const after = await transcript(t, conversationId);
    expect(after.messages.find((m) => m.sender === "agent")?.data.delivery).toMatchObject({ status: "sent" });
  });

  // Replies are at most 4,000 characters here (the platform's message limit), so they fit one Telegram
  // message; splitting longer text at 4,096 is the plugin's own test (plugins/telegram).
  it("an agent's longest reply arrives whole and once, and a thread's conversation is one per chat", async () => {
    const t = await telegramWorkspace();
    const chat = 4001;
    await post(t.installId, update(chat, "first message"));
    await post(t.installId, update(chat, "second message"));
    const thread = await threadConversation(t, t.installId, chat);
    const conversationId = thread?.conversationId ?? "";
    const long = "Our terms, in full. ".repeat(300).slice(0, 4000);
    const reply = await call(`/v1/conversations/${conversationId}/reply`, {
      body: { text: long },
      headers: t.auth,
    });
    expect(reply.status).toBe(200);
    const got = await until(
      () => sent(t.token),
      (all) => all.some((m) => m.body.text === long.trim()),
    );
    expect(got.filter((m) => m.body.text === long.trim())).toHaveLength(1);
    const talk = await transcript(t, conversationId);
    expect(talk.messages.filter((m) => m.sender === "visitor").map((m) => m.text)).toEqual([
      "first message",
      "second message",
    ]);
  });
});
