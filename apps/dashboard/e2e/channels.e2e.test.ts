import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { composeEmail } from "../../../scripts/fakes/compose-email.js";
import { type SentEmail, startFakeEmail } from "../../../scripts/fakes/email.js";
import { startFakeTelegram } from "../../../scripts/fakes/telegram.js";
import {
  axeViolations,
  hasChromium,
  launchChromium,
  packedFirstParty,
  screenshots,
  signedUpPage,
  warnNoChromium,
} from "./browser.js";
import { type LocalStack, sharedStack } from "./local-stack.js";

// Channels in Chromium (issue 20): an admin installs the first-party Telegram plugin from its packed
// file with a bot token and a webhook secret; the plugin registers its webhook with (a local fake of)
// Telegram's Bot API; a customer's message arrives through that webhook; the inbox shows the chat with
// Telegram's name and icon, the assistant's reply marked as sent, and an agent's reply reaches the chat.

if (!hasChromium) warnNoChromium("dashboard channels end-to-end test");

type BotCall = { method: string; body: Record<string, unknown> };

describe.skipIf(!hasChromium)("a Telegram channel in Chromium", () => {
  let stack: LocalStack;
  let browser: Browser;
  let page: Page;
  let dash = "";
  let packedFile = "";
  let telegram: Awaited<ReturnType<typeof startFakeTelegram>>;
  const token = `777:E2E${Date.now()}`;
  const secret = "e2e-webhook-secret-0001";
  const calls = async (): Promise<BotCall[]> =>
    (await (await fetch(`${telegram.url}/calls?token=${encodeURIComponent(token)}`)).json()) as BotCall[];

  beforeAll(async () => {
    stack = sharedStack();
    dash = stack.dashboardUrl;
    telegram = await startFakeTelegram();
    packedFile = await packedFirstParty("telegram");
    browser = await launchChromium();
    page = await signedUpPage(browser, dash, {
      name: "Cara Channels",
      companyName: "Channel Screens Ltd",
      tag: "channels",
    });
  });

  afterAll(async () => {
    await browser?.close();
    await telegram?.close();
  });

  it("installs Telegram, takes a customer's message into the inbox, and sends the replies back", async () => {
    await page.goto(`${dash}/settings/plugins`);
    await page.setInputFiles("#plugin-file", packedFile);
    await page.getByRole("button", { name: "Review permissions" }).click();
    await page.getByRole("heading", { name: /Install Telegram 1\.0\.0\?/ }).waitFor();
    expect(await page.locator("[data-consent] li").allTextContents()).toEqual([
      "Write into conversations",
      "Keep its own small data store",
      "Connect to api.telegram.org",
    ]);
    await page.fill("#new-botToken", token);
    await page.fill("#new-webhookSecret", secret);
    await page.fill("#new-apiBaseUrl", telegram.url);
    await page.check('input[name="consent"]');
    expect(await axeViolations(page)).toEqual([]);
    await page.getByRole("button", { name: "Install" }).click();
    await page.getByText("Telegram is installed.").waitFor();

    // The install told Telegram where updates go, with the secret they must carry; the install's page
    // shows the same address.
    const registered = (await calls()).find((c) => c.method === "setWebhook");
    expect(registered?.body.secret_token).toBe(secret);
    const hookUrl = String(registered?.body.url);
    expect(hookUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1\/hooks\/[0-9a-f-]{36}\/updates$/);
    await page.getByRole("link", { name: "Telegram" }).click();
    expect(await page.locator('[data-webhook="updates"]').textContent()).toBe(hookUrl);
    expect(await axeViolations(page)).toEqual([]);
    await screenshots(page, "channels-telegram-install");

    // Telegram delivers a customer's message; without the secret it is refused.
    const update = {
      update_id: 90001,
      message: {
        message_id: 1,
        chat: { id: 5150, type: "private" },
        from: { id: 5150, first_name: "Dana", last_name: "Driver" },
        text: "Hello, do you deliver on Saturdays?",
      },
    };
    const post = (withSecret: string) =>
      fetch(hookUrl, {
        method: "POST",
        headers: { "content-type": "application/json", "x-telegram-bot-api-secret-token": withSecret },
        body: JSON.stringify(update),
      });
    expect((await post("wrong-secret-000000000")).status).toBe(401);
    expect((await post(secret)).status).toBe(200);
    // The assistant's answer goes back to the chat.
    await expect
      .poll(async () => (await calls()).filter((c) => c.method === "sendMessage").length)
      .toBeGreaterThan(0);

    await page.goto(`${dash}/inbox`);
    // The workspace's only conversation, listed with Telegram's name and icon.
    const listed = page.locator(".conversation-list a", { has: page.locator('[data-channel="telegram"]') });
    await listed.waitFor();
    expect(await listed.count()).toBe(1);
    expect(await listed.locator('[data-channel="telegram"]').textContent()).toBe("Telegram");
    expect(await listed.locator('[data-channel="telegram"] svg').getAttribute("aria-hidden")).toBe("true");
    await listed.click();
    await page.locator(".transcript .msg-visitor", { hasText: "deliver on Saturdays" }).waitFor();
    await page.locator(".transcript .msg-bot .delivery.sent", { hasText: "Sent to Telegram" }).waitFor();
    expect(await axeViolations(page)).toEqual([]);
    await screenshots(page, "channels-telegram-inbox");

    await page.getByRole("button", { name: "Take over" }).click();
    await page.fill("#reply-text", "Yes, we deliver on Saturdays until 2 pm.");
    await page.getByRole("button", { name: "Send reply" }).click();
    await expect
      .poll(async () =>
        (await calls()).some((c) => c.body.text === "Yes, we deliver on Saturdays until 2 pm."),
      )
      .toBe(true);
    const agentReply = (await calls()).find(
      (c) => c.body.text === "Yes, we deliver on Saturdays until 2 pm.",
    );
    expect(agentReply?.body.chat_id).toBe("5150");
  });
});

// Email in Chromium: the workspace's inbound address in Settings → Workspace, the Email plugin installed
// from its packed file (sending through a local fake of Resend), a customer's mail handed to the
// worker as `npm start` takes it (wrangler's /cdn-cgi/handler/email, as Email Routing would), the
// conversation in the inbox with Email's name, and an agent's reply sent in the customer's thread.
describe.skipIf(!hasChromium)("an email channel in Chromium", () => {
  let stack: LocalStack;
  let browser: Browser;
  let page: Page;
  let dash = "";
  let packedFile = "";
  let resend: Awaited<ReturnType<typeof startFakeEmail>>;
  const key = `re_e2e${Date.now()}`;
  const sent = async (): Promise<SentEmail[]> =>
    (await (await fetch(`${resend.url}/emails?key=${key}`)).json()) as SentEmail[];

  beforeAll(async () => {
    stack = sharedStack();
    dash = stack.dashboardUrl;
    resend = await startFakeEmail();
    packedFile = await packedFirstParty("email");
    browser = await launchChromium();
    page = await signedUpPage(browser, dash, {
      name: "Erin Email",
      companyName: "Mailroom Ltd",
      tag: "email-channel",
    });
  });

  afterAll(async () => {
    await browser?.close();
    await resend?.close();
  });

  it("shows the inbound address, installs Email, takes a customer's mail into the inbox and answers in the thread", async () => {
    await page.goto(`${dash}/settings/workspace`);
    const address = (await page.locator("[data-inbound-address]").textContent()) ?? "";
    expect(address).toMatch(/^mailroom-ltd-[a-z2-9]{8}@inbound\.localhost$/);
    expect(await page.locator("[data-email-channel]").getAttribute("data-email-channel")).toBe("none");
    expect(await axeViolations(page)).toEqual([]);

    // Before the channel is installed, mail to the address is refused.
    const handler = (to: string) => {
      const url = new URL("/cdn-cgi/handler/email", stack.apiUrl);
      url.searchParams.set("from", "frank@customer.test");
      url.searchParams.set("to", to);
      return url;
    };
    const first = composeEmail({
      from: "frank@customer.test",
      fromName: "Frank Fields",
      to: address,
      subject: "Opening hours",
      text: "Hello, are you open on Sundays?\n\n-- \nFrank",
    });
    const refused = await fetch(handler(address), { method: "POST", body: first.raw });
    expect(await refused.text()).toContain("This address takes no email yet");

    await page.goto(`${dash}/settings/plugins`);
    await page.setInputFiles("#plugin-file", packedFile);
    await page.getByRole("button", { name: "Review permissions" }).click();
    await page.getByRole("heading", { name: /Install Email 1\.0\.0\?/ }).waitFor();
    expect(await page.locator("[data-consent] li").allTextContents()).toEqual([
      "Write into conversations",
      "Connect to api.resend.com",
    ]);
    await page.fill("#new-apiKey", key);
    await page.fill("#new-fromAddress", "support@mailroom.test");
    await page.fill("#new-fromName", "Mailroom Support");
    await page.fill("#new-apiBaseUrl", resend.url);
    await page.check('input[name="consent"]');
    expect(await axeViolations(page)).toEqual([]);
    await page.getByRole("button", { name: "Install" }).click();
    await page.getByText("Email is installed.").waitFor();
    await page.getByRole("link", { name: "Email" }).click();
    expect(await page.locator("[data-inbound-address]").textContent()).toBe(address);
    expect(await axeViolations(page)).toEqual([]);
    await screenshots(page, "channels-email-install");
    await page.goto(`${dash}/settings/workspace`);
    expect(await page.locator("[data-email-channel]").getAttribute("data-email-channel")).toBe("active");
    expect(await axeViolations(page)).toEqual([]);
    await screenshots(page, "channels-email-workspace");

    // Now the mail is taken, and the assistant's answer goes back in Frank's thread.
    const taken = await fetch(handler(address), { method: "POST", body: first.raw });
    expect(taken.status, await taken.text()).toBe(200);
    await expect.poll(async () => (await sent()).length, { timeout: 15_000 }).toBeGreaterThan(0);
    const [answer] = await sent();
    expect(answer).toMatchObject({
      to: ['"Frank Fields" <frank@customer.test>'],
      subject: "Re: Opening hours",
      reply_to: address,
      headers: { "In-Reply-To": first.messageId },
    });

    await page.goto(`${dash}/inbox`);
    const listed = page.locator(".conversation-list a", { has: page.locator('[data-channel="email"]') });
    await listed.waitFor();
    expect(await listed.count()).toBe(1);
    await listed.click();
    await page.locator(".transcript .msg-visitor", { hasText: "open on Sundays" }).waitFor();
    // The signature stayed out of the inbox.
    expect(await page.locator(".transcript .msg-visitor").first().textContent()).not.toContain("-- ");
    await page.locator(".transcript .msg-bot .delivery.sent", { hasText: "Sent to Email" }).waitFor();
    expect(await axeViolations(page)).toEqual([]);
    await screenshots(page, "channels-email-inbox");

    await page.getByRole("button", { name: "Take over" }).click();
    await page.fill("#reply-text", "Yes, Sundays from 10 to 4.");
    await page.getByRole("button", { name: "Send reply" }).click();
    await expect
      .poll(async () => (await sent()).some((m) => m.text === "Yes, Sundays from 10 to 4."), {
        timeout: 15_000,
      })
      .toBe(true);
    const agentReply = (await sent()).find((m) => m.text === "Yes, Sundays from 10 to 4.");
    expect(agentReply?.headers["In-Reply-To"]).toBe(first.messageId);
  });
});
