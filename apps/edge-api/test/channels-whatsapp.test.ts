import { env, runInDurableObject } from "cloudflare:test";
import { afterAll, describe, expect, inject, it } from "vitest";
import { conversationStub } from "../src/conversations/client.js";
import type { ConversationDO } from "../src/conversations/conversation-do.js";
import { conversationOfThread, installBuilt, transcript, until } from "./channel-helpers.js";
import { call, hmacSha256Hex, ownerDb, type Session, signup } from "./helpers.js";

// The first-party WhatsApp channel (plugins/whatsapp) in the sandbox, against a local Cloud API that
// speaks WhatsApp's wire: Meta's verification handshake, signed webhooks (X-Hub-Signature-256 over the
// raw body), replies sent as text inside the 24-hour window, retried while the API is down, and the
// provider's receipts shown on the replies.

const db = ownerDb();
afterAll(async () => {
  await db.end();
});

const APP_SECRET = "whatsapp-app-secret";
const VERIFY = "verify-token-123";
const fake = inject("fakeWhatsAppUrl");

const sign = async (body: string, secret = APP_SECRET) => `sha256=${await hmacSha256Hex(secret, body)}`;

async function whatsappWorkspace(): Promise<Session & { installId: string; phone: string }> {
  const s = await signup("WhatsApp Co");
  const phone = String(100000 + Math.floor(Math.random() * 900000));
  const installId = await installBuilt(
    db,
    s,
    { manifest: inject("whatsappManifest"), bundle: inject("whatsappBundle") },
    {
      accessToken: "fake-whatsapp-token",
      appSecret: APP_SECRET,
      verifyToken: VERIFY,
      phoneNumberId: phone,
      apiBaseUrl: fake,
    },
  );
  return { ...s, installId, phone };
}

type GraphCall = { body: Record<string, unknown> };
const sentBy = async (phone: string): Promise<GraphCall[]> =>
  (await (await fetch(`${fake}/calls?phone=${phone}`)).json()) as GraphCall[];
/** Waits (bounded) until the number has sent a text starting with `prefix`. */
const sentText = (phone: string, prefix: string) =>
  until(
    () => sentBy(phone),
    (got) => got.some((c) => (c.body.text as { body?: string } | undefined)?.body?.startsWith(prefix)),
  );

let wamid = 0;
/** Meta's webhook envelope around one change of the number's `messages` field. */
const envelope = (phone: string, value: Record<string, unknown>) => ({
  object: "whatsapp_business_account",
  entry: [
    {
      id: "WABA1",
      changes: [
        {
          field: "messages",
          value: { messaging_product: "whatsapp", metadata: { phone_number_id: phone }, ...value },
        },
      ],
    },
  ],
});
const inbound = (phone: string, from: string, text: string, id = `wamid.IN${++wamid}`) =>
  envelope(phone, {
    contacts: [{ wa_id: from, profile: { name: "Lena Lind" } }],
    messages: [{ id, from, timestamp: "1767225600", type: "text", text: { body: text } }],
  });
const receipt = (phone: string, id: string, status: string) =>
  envelope(phone, { statuses: [{ id, status, timestamp: "1767225700", recipient_id: "1" }] });
async function post(installId: string, payload: unknown, signature?: string) {
  const body = JSON.stringify(payload);
  return call(`/v1/hooks/${installId}/events`, {
    rawBody: body,
    headers: { "content-type": "application/json", "x-hub-signature-256": signature ?? (await sign(body)) },
  });
}
const conversationOf = async (s: Session, installId: string, from: string) =>
  (await conversationOfThread(db, s, installId, from))?.conversationId;

describe("WhatsApp channel", () => {
  it("answers Meta's verification only with its verify token, and refuses unsigned or forged events", async () => {
    const t = await whatsappWorkspace();
    const ok = await call(
      `/v1/hooks/${t.installId}/events?hub.mode=subscribe&hub.verify_token=${VERIFY}&hub.challenge=8814`,
    );
    expect(ok.status).toBe(200);
    expect(ok.json).toBe(8814);
    const wrong = await call(
      `/v1/hooks/${t.installId}/events?hub.mode=subscribe&hub.verify_token=guess&hub.challenge=1`,
    );
    expect(wrong.status).toBe(403);

    const payload = inbound(t.phone, "4917000000001", "hello");
    const forged = await sign(JSON.stringify(payload), "not-the-app-secret");
    expect((await post(t.installId, payload, forged)).status).toBe(401);
    expect((await post(t.installId, payload, "sha256=")).status).toBe(401);
    expect(await conversationOf(t, t.installId, "4917000000001")).toBeUndefined();
  });

  it("takes a message once, answers inside the window, and shows the receipts on the reply", async () => {
    const t = await whatsappWorkspace();
    const from = "4917000000002";
    const first = inbound(t.phone, from, "Do you have the oak table in stock?");
    expect((await post(t.installId, first)).status).toBe(200);
    expect((await post(t.installId, first)).status).toBe(200);
    const conversationId = (await conversationOf(t, t.installId, from)) ?? "";
    const talk = await transcript(t, conversationId);
    expect(talk.conversation.channel).toBe("whatsapp");
    expect(talk.messages.filter((m) => m.sender === "visitor").map((m) => m.text)).toEqual([
      "Do you have the oak table in stock?",
    ]);

    const reply = await call(`/v1/conversations/${conversationId}/reply`, {
      body: { text: "Yes, two are left. Shall I reserve one?" },
      headers: t.auth,
    });
    expect(reply.status).toBe(200);
    // The bot answered the question first; the agent's reply follows it.
    const sent = await sentText(t.phone, "Yes, two");
    const agentSend = sent.find((c) =>
      (c.body.text as { body?: string } | undefined)?.body?.startsWith("Yes, two"),
    );
    expect(agentSend?.body).toMatchObject({
      to: from,
      type: "text",
      text: { body: "Yes, two are left. Shall I reserve one?" },
    });

    // The reply's provider id is known once its copy reached the database; then receipts find it.
    const stub = conversationStub(env, t.tenantId, conversationId);
    await runInDurableObject(stub, (instance: ConversationDO) => instance.drain(true));
    const agentMessage = async () =>
      (await transcript(t, conversationId)).messages.find((m) => m.sender === "agent")?.data.delivery as
        | { status?: string; externalIds?: string[] }
        | undefined;
    const externalId = (await agentMessage())?.externalIds?.[0] ?? "";
    expect(externalId).toMatch(/^wamid\.FAKE/);
    expect((await post(t.installId, receipt(t.phone, externalId, "delivered"))).status).toBe(200);
    expect((await post(t.installId, receipt(t.phone, externalId, "read"))).status).toBe(200);
    // A late "sent" never moves it back.
    expect((await post(t.installId, receipt(t.phone, externalId, "sent"))).status).toBe(200);
    expect((await agentMessage())?.status).toBe("read");

    // Another workspace's install naming this reply's id reaches nothing of this workspace.
    const other = await whatsappWorkspace();
    expect((await post(other.installId, receipt(other.phone, externalId, "failed"))).status).toBe(200);
    expect((await agentMessage())?.status).toBe("read");
  });

  it("keeps an agent's reply while the Cloud API is down and delivers it once it is back", async () => {
    const t = await whatsappWorkspace();
    const from = "4917000000003";
    await post(t.installId, inbound(t.phone, from, "Where is my order?"));
    const conversationId = (await conversationOf(t, t.installId, from)) ?? "";
    const stub = conversationStub(env, t.tenantId, conversationId);
    await runInDurableObject(stub, (instance: ConversationDO) => instance.drain(true));
    const before = (await sentBy(t.phone)).length;
    await fetch(`${fake}/control`, { method: "POST", body: JSON.stringify({ phone: t.phone, down: true }) });
    await call(`/v1/conversations/${conversationId}/reply`, {
      body: { text: "Checking now." },
      headers: t.auth,
    });
    await runInDurableObject(stub, (instance: ConversationDO) => instance.drain(true));
    const waiting = (await transcript(t, conversationId)).messages.find((m) => m.sender === "agent");
    expect(waiting?.data.delivery).toMatchObject({ status: "retrying" });
    expect((await sentBy(t.phone)).length).toBe(before);

    await fetch(`${fake}/control`, { method: "POST", body: JSON.stringify({ phone: t.phone, down: false }) });
    await runInDurableObject(stub, (instance: ConversationDO) => instance.drain(true));
    const texts = (await sentBy(t.phone)).map((c) => (c.body.text as { body?: string } | undefined)?.body);
    expect(texts.filter((x) => x === "Checking now.")).toHaveLength(1);
  });
});
