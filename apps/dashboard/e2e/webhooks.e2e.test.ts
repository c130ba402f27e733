import type { Browser, Page } from "playwright-core";
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Received, startWebhookReceiver } from "../../../scripts/webhook-receiver.js";
import {
  axeViolations,
  hasChromium,
  launchChromium,
  screenshots,
  signedUpPage,
  warnNoChromium,
} from "./browser.js";
import { sharedStack } from "./local-stack.js";

// Webhooks in Chromium (issue 21): an admin adds an endpoint (a local receiver, as a workspace's own
// server would be), copies its secret, sends a test event, and reads the delivery log; the receiver
// verifies every request with the `standardwebhooks` library; a rotated secret and the old one both
// verify during the overlap.

if (!hasChromium) warnNoChromium("dashboard webhooks end-to-end test");

describe.skipIf(!hasChromium)("webhooks in Chromium", () => {
  let browser: Browser;
  let page: Page;
  let dash = "";
  let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;
  const got: Received[] = [];

  beforeAll(async () => {
    dash = sharedStack().dashboardUrl;
    receiver = await startWebhookReceiver(0, (r) => got.push(r));
    browser = await launchChromium();
    page = await signedUpPage(browser, dash, {
      name: "Wanda Webhooks",
      companyName: "Hooked Ltd",
      tag: "webhooks",
    });
  });

  afterAll(async () => {
    await browser?.close();
    await receiver?.close();
  });

  const verifies = (secret: string, r: Received) => {
    try {
      new Webhook(secret).verify(r.body, r.headers);
      return true;
    } catch {
      return false;
    }
  };

  it("adds an endpoint, sends a signed test event, shows the log, and rotates the secret", async () => {
    await page.goto(`${dash}/settings/webhooks`);
    await page.getByRole("link", { name: "Webhooks" }).waitFor();
    expect(await axeViolations(page)).toEqual([]);

    // A wrong URL is refused, naming the field.
    await page.fill("#field-url", "not a url");
    await page.getByRole("button", { name: "Add endpoint" }).click();
    await page.locator('[data-field-error="url"]', { hasText: /url|URL/ }).waitFor();

    await page.fill("#field-url", `${receiver.url}/crm`);
    await page.fill("#field-description", "CRM sync");
    await page.getByLabel("deal.won").check();
    await page.getByRole("button", { name: "Add endpoint" }).click();
    const secret = (await page.locator("[data-webhook-secret]").textContent()) ?? "";
    expect(secret).toMatch(/^whsec_/);
    expect(await axeViolations(page)).toEqual([]);

    await page.getByRole("button", { name: "Send test event" }).click();
    await expect.poll(() => got.length, { timeout: 15_000 }).toBeGreaterThan(0);
    const [test] = got;
    if (!test) throw new Error("nothing received");
    expect(verifies(secret, test)).toBe(true);
    expect(JSON.parse(test.body).type).toBe("webhook.test");

    // The log shows it delivered; its tries show the request and the answer.
    await expect
      .poll(
        async () => {
          await page.reload();
          return page.locator('[data-delivery-status="succeeded"]').count();
        },
        { timeout: 15_000 },
      )
      .toBe(1);
    await page.getByRole("link", { name: "webhook.test" }).click();
    await page.locator("[data-delivery-detail]").getByText("answered 200").waitFor();
    expect(await axeViolations(page)).toEqual([]);
    await screenshots(page, "settings-webhooks");

    // Rotated with a day's overlap: the next request verifies with the new secret and with the old one.
    await page.getByRole("button", { name: "Rotate secret" }).click();
    const rotated = (await page.locator("[data-webhook-secret]").textContent()) ?? "";
    expect(rotated).toMatch(/^whsec_/);
    expect(rotated).not.toBe(secret);
    await page.getByRole("button", { name: "Send test event" }).click();
    await expect.poll(() => got.length, { timeout: 15_000 }).toBeGreaterThan(1);
    const after = got[1];
    if (!after) throw new Error("nothing received");
    expect(verifies(rotated, after)).toBe(true);
    expect(verifies(secret, after)).toBe(true);
  });

  it("takes a signed form submission as a lead, and shows it under Incoming leads", async () => {
    await page.goto(`${dash}/settings/webhooks`);
    const url = (await page.locator("[data-intake-url]").textContent()) ?? "";
    await page.getByText("Show the secret").click();
    const secret = (await page.locator("[data-intake-secret]").textContent()) ?? "";
    expect(secret).toMatch(/^whsec_/);
    await page.fill("#intake-email", "answers.mail");
    await page.getByRole("button", { name: "Save", exact: true }).click();
    await page.getByText("Saved.").waitFor();

    const body = JSON.stringify({ answers: { mail: "paula@forms.test" }, name: "Paula Post" });
    const id = `msg_${Date.now()}`;
    const at = new Date();
    const res = await fetch(url, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "webhook-id": id,
        "webhook-timestamp": String(Math.floor(at.getTime() / 1000)),
        "webhook-signature": new Webhook(secret).sign(id, at, body),
      },
      body,
    });
    expect(res.status).toBe(201);
    await page.reload();
    await page.locator('[data-intake-outcome="created"]').waitFor();
    expect(await axeViolations(page)).toEqual([]);
    await page.locator('[data-intake-outcome="created"]').getByRole("link", { name: "the lead" }).click();
    await page.getByText("paula@forms.test").first().waitFor();
  });
});
