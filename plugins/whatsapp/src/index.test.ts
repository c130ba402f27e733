import { createHmac } from "node:crypto";
import { TestHost } from "@autopilot/sdk/testing";
import { describe, expect, it } from "vitest";
import plugin from "./index.js";

const config = {
  accessToken: "EAAG-test",
  appSecret: "app-secret-123",
  verifyToken: "verify-me-please",
  phoneNumberId: "1098765",
  templateName: "come_back",
};
const graph = "https://graph.facebook.com/v21.0/1098765/messages";
const sign = (body: string, secret = config.appSecret) =>
  `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;

const event = (value: Record<string, unknown>, phoneNumberId = config.phoneNumberId) => ({
  object: "whatsapp_business_account",
  entry: [
    {
      id: "WABA",
      changes: [
        {
          field: "messages",
          value: { messaging_product: "whatsapp", metadata: { phone_number_id: phoneNumberId }, ...value },
        },
      ],
    },
  ],
});
const textFrom = (id: string, body: string, from = "4915112345678") =>
  event({
    contacts: [{ wa_id: from, profile: { name: "Lena" } }],
    messages: [{ id, from, timestamp: "1767225600", type: "text", text: { body } }],
  });
const post = (payload: unknown, signature?: string) => {
  const body = JSON.stringify(payload);
  return {
    kind: "webhook" as const,
    name: "events",
    request: {
      method: "POST",
      url: "/v1/hooks/x/events",
      headers: { "x-hub-signature-256": signature ?? sign(body), "content-type": "application/json" },
      body,
    },
  };
};
const reply = (text: string, lastInboundAt: string | null, quickReplies: string[] = []) => ({
  kind: "send" as const,
  message: {
    conversationId: "00000000-0000-4000-8000-0000000000bb",
    threadId: "4915112345678",
    messageId: `m-${text.length}-${quickReplies.length}`,
    sender: "agent" as const,
    text,
    quickReplies,
    lastInboundAt,
  },
});
const accepted = (id: string) => Response.json({ messaging_product: "whatsapp", messages: [{ id }] });
const recent = () => new Date(Date.now() - 60_000).toISOString();

describe("whatsapp channel", () => {
  it("answers Meta's verification with the challenge, only for the right verify token", async () => {
    const host = new TestHost(plugin, config);
    const verify = (token: string) =>
      host.call({
        kind: "webhook",
        name: "events",
        request: {
          method: "GET",
          url: `/v1/hooks/x/events?hub.mode=subscribe&hub.verify_token=${token}&hub.challenge=1158201444`,
          headers: {},
          body: "",
        },
      });
    expect(await verify("verify-me-please")).toEqual({
      ok: true,
      value: { status: 200, body: "1158201444", contentType: "text/plain" },
    });
    expect(await verify("guess")).toMatchObject({ ok: true, value: { status: 403 } });
  });

  it("refuses a body whose signature is not the app secret's, and appends nothing", async () => {
    const host = new TestHost(plugin, config);
    const payload = textFrom("wamid.1", "hi");
    const forged = sign(JSON.stringify(payload), "someone-elses-secret");
    expect(await host.call(post(payload, forged))).toMatchObject({ ok: true, value: { status: 401 } });
    expect(await host.call(post(payload, "sha256=00"))).toMatchObject({ ok: true, value: { status: 401 } });
    expect(host.inbound).toEqual([]);
  });

  it("appends a customer's text once per message id, and only for its own number", async () => {
    const host = new TestHost(plugin, config);
    await host.call(post(textFrom("wamid.A", "Is the blue sofa in stock?")));
    await host.call(post(textFrom("wamid.A", "Is the blue sofa in stock?")));
    await host.call(
      post(event({ messages: [{ id: "wamid.B", from: "1", type: "text", text: { body: "x" } }] }, "999")),
    );
    expect(host.inbound).toEqual([
      {
        threadId: "4915112345678",
        messageId: "wamid.A",
        sender: { id: "4915112345678", phone: "+4915112345678", name: "Lena" },
        text: "Is the blue sofa in stock?",
        attachments: [],
      },
    ]);
  });

  it("passes delivery receipts on to the platform", async () => {
    const host = new TestHost(plugin, config);
    await host.call(
      post(
        event({
          statuses: [
            { id: "wamid.OUT1", status: "delivered", timestamp: "1", recipient_id: "4915112345678" },
            {
              id: "wamid.OUT2",
              status: "failed",
              errors: [{ code: 131026, title: "Message undeliverable" }],
            },
          ],
        }),
      ),
    );
    expect(host.deliveries).toEqual([
      { externalId: "wamid.OUT1", status: "delivered" },
      { externalId: "wamid.OUT2", status: "failed", reason: "Message undeliverable" },
    ]);
  });

  it("sends text inside the 24-hour window, choices as reply buttons", async () => {
    const host = new TestHost(plugin, config).answer(() => accepted("wamid.OUT"));
    expect(await host.call(reply("Which colour?", recent(), ["Blue", "Green"]))).toEqual({
      ok: true,
      value: { status: "sent", externalIds: ["wamid.OUT"] },
    });
    expect(await host.call(reply("We have it in stock.", recent()))).toMatchObject({
      value: { status: "sent" },
    });
    expect(host.requests.map((r) => [r.url, r.headers.authorization, JSON.parse(r.body)])).toEqual([
      [
        graph,
        "Bearer EAAG-test",
        {
          messaging_product: "whatsapp",
          recipient_type: "individual",
          to: "4915112345678",
          type: "interactive",
          interactive: {
            type: "button",
            body: { text: "Which colour?" },
            action: {
              buttons: [
                { type: "reply", reply: { id: "q0", title: "Blue" } },
                { type: "reply", reply: { id: "q1", title: "Green" } },
              ],
            },
          },
        },
      ],
      [
        graph,
        "Bearer EAAG-test",
        {
          messaging_product: "whatsapp",
          recipient_type: "individual",
          to: "4915112345678",
          type: "text",
          text: { body: "We have it in stock.", preview_url: false },
        },
      ],
    ]);
  });

  it("sends the template outside the window, and fails without one", async () => {
    const host = new TestHost(plugin, config).answer(() => accepted("wamid.T"));
    const old = new Date(Date.now() - 25 * 3600_000).toISOString();
    expect(await host.call(reply("Following up on your order", old))).toMatchObject({
      value: { status: "sent", externalIds: ["wamid.T"] },
    });
    expect(JSON.parse(host.requests[0]?.body ?? "{}")).toMatchObject({
      type: "template",
      template: { name: "come_back", language: { code: "en" } },
    });
    const bare = new TestHost(plugin, { ...config, templateName: undefined });
    expect(await bare.call(reply("Following up", old))).toEqual({
      ok: true,
      value: { status: "failed", reason: "outside WhatsApp's 24-hour window, and no template is set" },
    });
  });

  it("retries when throttled or down, and fails what WhatsApp refuses", async () => {
    const throttled = new TestHost(plugin, config).answer(() =>
      Response.json(
        { error: { code: 130429, message: "Rate limit hit" } },
        { status: 400, headers: { "retry-after": "9" } },
      ),
    );
    expect(await throttled.call(reply("hi", recent()))).toEqual({
      ok: true,
      value: { status: "retry", afterSeconds: 9 },
    });
    const down = new TestHost(plugin, config).answer(() => new Response("oops", { status: 503 }));
    expect(await down.call(reply("hi", recent()))).toEqual({ ok: true, value: { status: "retry" } });
    const refused = new TestHost(plugin, config).answer(() =>
      Response.json(
        { error: { code: 131030, message: "Recipient phone number not in allowed list" } },
        { status: 400 },
      ),
    );
    expect(await refused.call(reply("hi", recent()))).toEqual({
      ok: true,
      value: { status: "failed", reason: "Recipient phone number not in allowed list" },
    });
  });
});
