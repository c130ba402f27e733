import type { InboundEmail } from "@autopilot/sdk";
import { TestHost } from "@autopilot/sdk/testing";
import { describe, expect, it } from "vitest";
import plugin from "./index.js";

const config = { apiKey: "re_test_key", fromAddress: "support@acme.test", fromName: "Acme Support" };

const email = (over: Partial<InboundEmail> = {}): InboundEmail => ({
  messageId: "<first@customer.test>",
  inReplyTo: null,
  references: [],
  from: { address: "ada@customer.test", name: "Ada Lovelace" },
  to: "acme-k3x9qp2m@inbound.localhost",
  subject: "Pricing for 40 seats",
  date: "2026-12-04T10:00:00.000Z",
  text: "Hi, what would 40 seats cost?\n\n-- \nAda",
  attachments: [],
  automatic: false,
  ...over,
});

const receive = (host: TestHost, e: InboundEmail) => host.call({ kind: "email", email: e });

const reply = (host: TestHost, text: string, quickReplies: string[] = [], id = "0b6a-reply") => {
  const thread = host.inbound.at(-1);
  return host.call({
    kind: "send",
    message: {
      conversationId: "00000000-0000-4000-8000-0000000000aa",
      threadId: thread?.threadId ?? "",
      messageId: id,
      sender: "bot",
      text,
      quickReplies,
      lastInboundAt: null,
      threadData: thread?.threadData ?? {},
    },
  });
};

describe("email channel", () => {
  it("makes a customer's first email a conversation: subject and new text, signature cut", async () => {
    const host = new TestHost(plugin, config);
    expect(await receive(host, email())).toEqual({ ok: true, value: null });
    expect(host.inbound).toHaveLength(1);
    expect(host.inbound[0]).toMatchObject({
      threadId: "ada@customer.test <first@customer.test>",
      messageId: "<first@customer.test>",
      sender: { id: "ada@customer.test", email: "ada@customer.test", name: "Ada Lovelace" },
      text: "Pricing for 40 seats\n\nHi, what would 40 seats cost?",
      threadData: {
        to: "ada@customer.test",
        inbox: "acme-k3x9qp2m@inbound.localhost",
        lastMessageId: "<first@customer.test>",
        references: "<first@customer.test>",
        root: "<first@customer.test>",
      },
    });
  });

  it("replies in the thread: Re: subject, In-Reply-To, References, Reply-To the workspace address", async () => {
    const host = new TestHost(plugin, config).answer(() => Response.json({ id: "re-1" }));
    await receive(host, email());
    const out = await reply(host, "40 seats are 1,200 € a month.", ["Book a call", "Send a quote"]);
    expect(out).toEqual({ ok: true, value: { status: "sent", externalIds: ["re-1"] } });
    const [sent] = host.requests;
    expect(sent?.url).toBe("https://api.resend.com/emails");
    expect(sent?.headers.authorization).toBe("Bearer re_test_key");
    expect(sent?.headers["idempotency-key"]).toBe("reply-0b6a-reply");
    const body = JSON.parse(sent?.body ?? "{}");
    expect(body).toMatchObject({
      from: '"Acme Support" <support@acme.test>',
      to: ['"Ada Lovelace" <ada@customer.test>'],
      subject: "Re: Pricing for 40 seats",
      reply_to: "acme-k3x9qp2m@inbound.localhost",
      text: "40 seats are 1,200 € a month.\n\nYou can answer with: Book a call · Send a quote",
      headers: { "In-Reply-To": "<first@customer.test>", References: "<first@customer.test>" },
    });
    expect(body.headers["Message-ID"]).toMatch(/^<ap\.0b6a-reply\.[\w-]+@acme\.test>$/);
  });

  it("puts the customer's answer to our reply in the same conversation, without the quote", async () => {
    const host = new TestHost(plugin, config).answer(() => Response.json({ id: "re-1" }));
    await receive(host, email());
    await reply(host, "Would Tuesday suit you?");
    const ours = JSON.parse(host.requests[0]?.body ?? "{}").headers["Message-ID"] as string;
    // Their program kept only In-Reply-To.
    await receive(
      host,
      email({
        messageId: "<second@customer.test>",
        inReplyTo: ours,
        subject: "Re: Pricing for 40 seats",
        text: "Yes, Tuesday works.\n\nOn Fri, Dec 4, 2026 at 10:02 AM Acme Support <support@acme.test> wrote:\n> Would Tuesday suit you?",
      }),
    );
    expect(host.inbound).toHaveLength(2);
    expect(host.inbound[1]?.threadId).toBe(host.inbound[0]?.threadId);
    expect(host.inbound[1]?.text).toBe("Yes, Tuesday works.");
    expect(host.threads.size).toBe(1);
  });

  it("does not answer auto-replies or its own mail coming back", async () => {
    const host = new TestHost(plugin, config);
    await receive(host, email({ automatic: true, text: "I am out of office." }));
    await receive(host, email({ messageId: "<ap.x.PGZpcnN0QGN1c3RvbWVyLnRlc3Q@acme.test>" }));
    expect(host.inbound).toHaveLength(0);
  });

  it("names attachments (the files stay in the customer's mail)", async () => {
    const host = new TestHost(plugin, config);
    await receive(
      host,
      email({
        text: "See attached.",
        attachments: [{ name: "floor.pdf", contentType: "application/pdf", size: 250_000 }],
      }),
    );
    expect(host.inbound[0]?.text).toContain(
      "📎 floor.pdf (application/pdf, 244 KB; in the customer's email)",
    );
  });

  it("waits out a 429 as Retry-After says, retries while Resend is down or the key is wrong", async () => {
    const statuses = [
      new Response(JSON.stringify({ name: "rate_limit_exceeded" }), {
        status: 429,
        headers: { "retry-after": "7" },
      }),
      new Response("bad gateway", { status: 502 }),
      Response.json({ name: "invalid_api_key", message: "API key is invalid" }, { status: 403 }),
    ];
    const host = new TestHost(plugin, config).answer(() => statuses.shift() ?? Response.json({ id: "re-9" }));
    await receive(host, email());
    const results = [];
    for (let i = 0; i < 4; i++) results.push(await reply(host, "a"));
    expect(results).toEqual([
      { ok: true, value: { status: "retry", afterSeconds: 7 } },
      { ok: true, value: { status: "retry" } },
      { ok: true, value: { status: "retry" } },
      { ok: true, value: { status: "sent", externalIds: ["re-9"] } },
    ]);
    // Every try sent the same idempotency key: Resend sends it once.
    expect(new Set(host.requests.map((r) => r.headers["idempotency-key"]))).toEqual(
      new Set(["reply-0b6a-reply"]),
    );
  });

  it("fails for good what Resend will never send, and a thread without an address", async () => {
    const host = new TestHost(plugin, config).answer(() =>
      Response.json({ name: "validation_error", message: "Invalid `to` field." }, { status: 422 }),
    );
    await receive(host, email());
    expect(await reply(host, "x")).toEqual({
      ok: true,
      value: { status: "failed", reason: "Resend refused the mail: Invalid `to` field." },
    });
    const bare = await host.call({
      kind: "send",
      message: {
        conversationId: "00000000-0000-4000-8000-0000000000aa",
        threadId: "t",
        messageId: "m",
        sender: "agent",
        text: "hello",
        quickReplies: [],
        lastInboundAt: null,
        threadData: {},
      },
    });
    expect(bare).toEqual({
      ok: true,
      value: { status: "failed", reason: "this conversation has no email address to reply to" },
    });
  });
});
