import { env, runInDurableObject } from "cloudflare:test";
import { channelThreads, withTenant } from "@autopilot/db";
import { afterAll, describe, expect, inject, it } from "vitest";
import { type ComposedEmail, composeEmail } from "../../../scripts/fakes/compose-email.js";
import type { SentEmail } from "../../../scripts/fakes/email.js";
import { conversationStub } from "../src/conversations/client.js";
import type { ConversationDO } from "../src/conversations/conversation-do.js";
import worker from "../src/index.js";
import { installBuilt, quoteRoute, transcript, until } from "./channel-helpers.js";
import { call, ownerDb, type Session, signup } from "./helpers.js";

// The first-party email channel (plugins/email), built by the SDK as a developer's plugin would be:
// mail to a workspace's inbound address reaches the worker's Email Worker handler (handed over as
// Cloudflare's Email Routing does: envelope, headers and the raw message), is parsed there and queued
// for the plugin, which threads it into a conversation; replies go out through a local Resend that
// speaks its wire (Bearer key, Idempotency-Key, 429 with Retry-After).

const db = ownerDb();
afterAll(async () => {
  await db.end();
});

const fake = inject("fakeEmailUrl");

type Workspace = Session & { address: string; installId: string; key: string };

async function emailWorkspace(name = "Mail Co", withChannel = true): Promise<Workspace> {
  const s = await signup(name);
  expect((await call("/v1/routes", { body: quoteRoute, headers: s.auth })).status).toBe(201);
  const address = (await call("/v1/workspace/inbound-email", { headers: s.auth })).json.address as string;
  const key = `re_${crypto.randomUUID().replaceAll("-", "")}`;
  const installId = withChannel
    ? await installBuilt(
        db,
        s,
        { manifest: inject("emailManifest"), bundle: inject("emailBundle") },
        { apiKey: key, fromAddress: "support@mailco.test", fromName: "Mail Co Support", apiBaseUrl: fake },
      )
    : "";
  return { ...s, address, installId, key };
}

/** Hands a raw message to the worker's email() as Email Routing does; the reason when it was refused. */
async function deliver(raw: string, envelope: { from: string; to: string }): Promise<string | null> {
  let rejected: string | null = null;
  const bytes = new TextEncoder().encode(raw);
  const message = {
    from: envelope.from,
    to: envelope.to,
    raw: new Response(bytes).body as ReadableStream<Uint8Array>,
    rawSize: bytes.byteLength,
    headers: new Headers(),
    setReject: (reason: string) => {
      rejected = reason;
    },
    forward: async () => ({ messageId: "" }),
    reply: async () => ({ messageId: "" }),
  } as unknown as ForwardableEmailMessage;
  await worker.email?.(message, env);
  return rejected;
}

const send = (w: Workspace, e: Omit<ComposedEmail, "to">) => {
  const composed = composeEmail({ ...e, to: w.address });
  return deliver(composed.raw, { from: e.from, to: w.address }).then((rejected) => ({
    ...composed,
    rejected,
  }));
};

const sentBy = async (key: string) =>
  (await (await fetch(`${fake}/emails?key=${encodeURIComponent(key)}`)).json()) as SentEmail[];
const sentAtLeast = (key: string, count: number) =>
  until(
    () => sentBy(key),
    (got) => got.length >= count,
  );
const control = (key: string, state: { down?: boolean; rateLimitNext?: number }) =>
  fetch(`${fake}/control`, { method: "POST", body: JSON.stringify({ key, ...state }) });

const threadsOf = (w: Workspace) => withTenant(db, w.tenantId, (tx) => tx.select().from(channelThreads));
/** The conversation of a customer's thread, once the queued mail has reached it. */
const conversationOf = async (w: Workspace, threadId: string) =>
  (
    await until(
      () => threadsOf(w),
      (rows) => rows.some((r) => r.threadId === threadId),
    )
  ).find((r) => r.threadId === threadId);
const visitorTexts = async (w: Workspace, conversationId: string) =>
  (await transcript(w, conversationId)).messages.filter((m) => m.sender === "visitor").map((m) => m.text);

describe("email channel", () => {
  it("gives each workspace its own address, and refuses mail no channel takes (nothing stored)", async () => {
    const a = await emailWorkspace("Alpha Mail");
    const again = await call("/v1/workspace/inbound-email", { headers: a.auth });
    expect(again.json.address).toBe(a.address);
    expect(a.address).toMatch(/^alpha-mail-[a-z2-9]{8}@inbound\.localhost$/);
    const b = await emailWorkspace("Beta Mail", false);
    expect(b.address).not.toBe(a.address);
    expect((await call("/v1/workspace/inbound-email")).status).toBe(401);

    const mail = (to: string) =>
      composeEmail({ from: "eve@customer.test", to, subject: "Hi", text: "hello" }).raw;
    expect(
      await deliver(mail("nobody-abcdefgh@inbound.localhost"), {
        from: "eve@customer.test",
        to: "nobody-abcdefgh@inbound.localhost",
      }),
    ).toBe("No such mailbox here");
    const otherDomain = a.address.replace("inbound.localhost", "elsewhere.test");
    expect(await deliver(mail(otherDomain), { from: "eve@customer.test", to: otherDomain })).toBe(
      "No such mailbox here",
    );
    expect(await deliver(mail(b.address), { from: "eve@customer.test", to: b.address })).toBe(
      "This address takes no email yet",
    );
    expect((await call("/v1/conversations", { headers: b.auth })).json.conversations).toEqual([]);
    expect(await threadsOf(b)).toEqual([]);

    // A sender the receiving server could not verify (a forged From) is refused too.
    const forged = await send(a, {
      from: "ada@customer.test",
      subject: "Change my order",
      text: "Send everything to my new address.",
      headers: [
        "Authentication-Results: mx.cloudflare.net; dkim=none; spf=fail smtp.mailfrom=ada@customer.test; dmarc=fail header.from=customer.test",
      ],
    });
    expect(forged.rejected).toBe("The sender could not be verified (DMARC failed)");
    const verified = await send(a, {
      from: "ada@customer.test",
      subject: "Hello",
      text: "Hello there.",
      headers: [
        "Authentication-Results: mx.cloudflare.net; dkim=pass header.d=customer.test; spf=pass; dmarc=pass",
      ],
    });
    expect(verified.rejected).toBeNull();
    const rows = await until(
      () => threadsOf(a),
      (r) => r.length > 0,
    );
    expect(rows.map((r) => r.threadId)).toEqual([`ada@customer.test ${verified.messageId}`]);
  });

  it("turns an email into a conversation: the bot answers in the thread, the customer's reply lands in it and becomes a lead", async () => {
    const w = await emailWorkspace();
    const first = await send(w, {
      from: "ada@customer.test",
      fromName: "Ada Lovelace",
      subject: "Quote",
      text: "I want a quote\n\n-- \nAda Lovelace\nEngines Ltd",
    });
    expect(first.rejected).toBeNull();
    const threadId = `ada@customer.test ${first.messageId}`;
    const thread = await conversationOf(w, threadId);
    expect(thread?.contactId).toBeTruthy();
    const conversationId = thread?.conversationId ?? "";

    // The bot's question goes back as a reply in the customer's thread.
    const [asked] = await sentAtLeast(w.key, 1);
    expect(asked).toMatchObject({
      from: '"Mail Co Support" <support@mailco.test>',
      to: ['"Ada Lovelace" <ada@customer.test>'],
      subject: "Re: Quote",
      reply_to: w.address,
      headers: { "In-Reply-To": first.messageId, References: first.messageId },
    });
    expect(asked?.text).toContain("Which email should the quote go to?");
    const ours = asked?.headers["Message-ID"] ?? "";
    expect(ours).toMatch(/^<ap\..+@mailco\.test>$/);

    // Ada answers it; her program quotes the question below. Email Routing hands it over twice.
    const answer = composeEmail({
      from: "ada@customer.test",
      fromName: "Ada Lovelace",
      to: w.address,
      subject: "Re: Quote",
      text: "ada@customer.test\n\nOn Fri, Dec 4, 2026 at 10:02 AM Mail Co Support <support@mailco.test> wrote:\n> Which email should the quote go to?",
      inReplyTo: ours,
      references: [first.messageId, ours],
    });
    expect(await deliver(answer.raw, { from: "ada@customer.test", to: w.address })).toBeNull();
    expect(await deliver(answer.raw, { from: "ada@customer.test", to: w.address })).toBeNull();
    const thanked = await sentAtLeast(w.key, 2);
    expect(thanked[1]?.text).toContain("Thanks, a quote is on its way.");
    expect(thanked[1]?.headers["In-Reply-To"]).toBe(answer.messageId);

    expect(await visitorTexts(w, conversationId)).toEqual(["Quote\n\nI want a quote", "ada@customer.test"]);
    expect((await transcript(w, conversationId)).conversation.channel).toBe("email");
    expect((await threadsOf(w)).map((t) => t.threadId)).toEqual([threadId]);
    const leads = await call("/v1/leads", { headers: w.auth });
    expect(leads.json.leads).toHaveLength(1);

    // An agent's reply from the inbox goes out in the same thread.
    const reply = await call(`/v1/conversations/${conversationId}/reply`, {
      body: { text: "Hi Ada, Sam from sales here. The quote is attached to the next mail." },
      headers: w.auth,
    });
    expect(reply.status).toBe(200);
    const all = await sentAtLeast(w.key, 3);
    expect(all[2]).toMatchObject({
      text: "Hi Ada, Sam from sales here. The quote is attached to the next mail.",
      subject: "Re: Quote",
      headers: { "In-Reply-To": answer.messageId },
    });
    expect(all[2]?.headers.References).toBe(`${first.messageId} ${ours} ${answer.messageId}`);

    // A new mail from Ada, answering nothing, is a new conversation of the same contact.
    const fresh = await send(w, {
      from: "ada@customer.test",
      subject: "Another thing",
      text: "Do you ship to Malta?",
    });
    const other = await conversationOf(w, `ada@customer.test ${fresh.messageId}`);
    expect(other?.conversationId).not.toBe(conversationId);
    expect(other?.contactId).toBe(thread?.contactId);
  });

  it("keeps an agent's reply while the provider is down, and delivers it once, when it is back", async () => {
    const w = await emailWorkspace("Down Mail");
    const first = await send(w, {
      from: "tom@customer.test",
      subject: "Hello",
      text: "hello, anyone there?",
    });
    const thread = await conversationOf(w, `tom@customer.test ${first.messageId}`);
    const conversationId = thread?.conversationId ?? "";
    const before = (await sentAtLeast(w.key, 1)).length;
    await control(w.key, { down: true });
    const reply = await call(`/v1/conversations/${conversationId}/reply`, {
      body: { text: "Yes, Sam here. How can I help?" },
      headers: w.auth,
    });
    expect(reply.status).toBe(200);
    const stub = conversationStub(env, w.tenantId, conversationId);
    await runInDurableObject(stub, (instance: ConversationDO) => instance.drain(true));
    const waiting = await transcript(w, conversationId);
    expect(waiting.messages.find((m) => m.sender === "agent")?.data.delivery).toMatchObject({
      status: "retrying",
      attempts: 1,
    });
    expect((await sentBy(w.key)).length).toBe(before);

    await control(w.key, { down: false, rateLimitNext: 1 });
    // The first try back meets a 429: it waits as told, then goes, once.
    await runInDurableObject(stub, (instance: ConversationDO) => instance.drain(true));
    await runInDurableObject(stub, (instance: ConversationDO) => instance.drain(true));
    const delivered = await sentBy(w.key);
    expect(delivered.filter((m) => m.text === "Yes, Sam here. How can I help?")).toHaveLength(1);
    const after = await transcript(w, conversationId);
    expect(after.messages.find((m) => m.sender === "agent")?.data.delivery).toMatchObject({ status: "sent" });
  });

  it("takes no auto-reply, and keeps mail queued while the plugin cannot take it", async () => {
    const w = await emailWorkspace("Auto Mail");
    const auto = await send(w, {
      from: "robot@customer.test",
      subject: "Out of office",
      text: "I am away until Monday.",
      headers: ["Auto-Submitted: auto-replied"],
    });
    expect(auto.rejected).toBeNull();
    const real = await send(w, { from: "kim@customer.test", subject: "Hours", text: "When are you open?" });
    await conversationOf(w, `kim@customer.test ${real.messageId}`);
    expect((await threadsOf(w)).map((t) => t.threadId)).toEqual([`kim@customer.test ${real.messageId}`]);

    // Paused, the channel takes mail still; it waits in the queue, and arrives once resumed.
    const paused = await call(`/v1/plugins/installs/${w.installId}/pause`, {
      method: "POST",
      headers: w.auth,
    });
    expect(paused.status).toBe(200);
    const waiting = await send(w, {
      from: "lee@customer.test",
      subject: "Prices",
      text: "What do you charge?",
    });
    expect(waiting.rejected).toBeNull();
    await new Promise((r) => setTimeout(r, 1500));
    expect((await threadsOf(w)).some((t) => t.threadId.startsWith("lee@"))).toBe(false);
    const resumed = await call(`/v1/plugins/installs/${w.installId}/resume`, {
      method: "POST",
      headers: w.auth,
    });
    expect(resumed.status).toBe(200);
    // The queue's next try comes after its backoff (10 s).
    const arrived = await until(
      () => threadsOf(w),
      (rows) => rows.some((r) => r.threadId === `lee@customer.test ${waiting.messageId}`),
      25,
    );
    const lee = arrived.find((r) => r.threadId.startsWith("lee@"));
    // The thread is linked as the message goes in; the transcript shows it a moment later.
    const texts = await until(
      () => visitorTexts(w, lee?.conversationId ?? ""),
      (t) => t.length > 0,
    );
    expect(texts).toEqual(["Prices\n\nWhat do you charge?"]);
  }, 45_000);
});
