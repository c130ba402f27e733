import { createHash } from "node:crypto";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
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

// Settings → Plugins in Chromium (issue 17, item 6): an admin installs the first-party lead-notify
// plugin from its packed file — the consent screen lists what it asks for, its settings form comes
// from its schema — then sees it with its grants, the secret setting only as "set", and pauses it.

if (!hasChromium) warnNoChromium("dashboard plugins end-to-end test");

describe.skipIf(!hasChromium)("plugins screen in Chromium", () => {
  let stack: LocalStack;
  let browser: Browser;
  let page: Page;
  let dash = "";
  let packedFile = "";

  beforeAll(async () => {
    stack = sharedStack();
    dash = stack.dashboardUrl;
    // Packed as a developer would: the SDK's own build and pack, into a scratch folder.
    packedFile = await packedFirstParty("lead-notify");
    browser = await launchChromium();
    page = await signedUpPage(browser, dash, {
      name: "Pat Plugins",
      companyName: "Plugin Screens Ltd",
      tag: "plugins",
    });
  });

  afterAll(async () => {
    await browser?.close();
  });

  it("installs a packed plugin after consent, shows its grants and settings, and pauses it", async () => {
    await page.goto(`${dash}/settings/plugins`);
    await page.getByText("No plugins yet").waitFor();
    expect(await axeViolations(page)).toEqual([]);
    // Nothing chosen: the field says so.
    await page.getByRole("button", { name: "Review permissions" }).click();
    await expect.poll(() => page.locator('[data-field-error="file"]').textContent()).toMatch(/Choose/);

    await page.setInputFiles("#plugin-file", packedFile);
    await page.getByRole("button", { name: "Review permissions" }).click();
    await page.getByRole("heading", { name: /Install Lead notify 1\.0\.0\?/ }).waitFor();
    expect(await page.locator("[data-consent] li").allTextContents()).toEqual([
      "Be told about events (new leads, messages, deals…)",
      "Read your contacts",
      "Connect to hooks.slack.com",
    ]);
    expect(await axeViolations(page)).toEqual([]);
    await screenshots(page, "plugins-consent");

    // Without consent nothing is installed; with it, the settings are checked by the plugin's schema.
    await page.fill("#new-webhookUrl", "https://hooks.slack.com/services/T0/B0/secret-part");
    await page.getByRole("button", { name: "Install" }).click();
    await expect.poll(() => page.locator('[data-field-error="consent"]').textContent()).toMatch(/Grant/);
    await page.fill("#new-webhookUrl", "https://hooks.slack.com/services/T0/B0/secret-part");
    await page.check('input[name="consent"]');
    await page.getByRole("button", { name: "Install" }).click();
    await page.getByText("Lead notify is installed.").waitFor();

    await page.getByRole("link", { name: "Lead notify" }).click();
    await page.locator('[data-plugin="autopilot/lead-notify"]').waitFor();
    expect(await page.locator("[data-plugin-status]").getAttribute("data-plugin-status")).toBe("active");
    expect(await page.content()).not.toContain("secret-part");
    await page.getByText("Set. Leave empty to keep it").waitFor();
    expect(await axeViolations(page)).toEqual([]);
    await screenshots(page, "plugins-installed");

    await page.getByRole("button", { name: "Pause" }).click();
    await expect
      .poll(() => page.locator("[data-plugin-status]").getAttribute("data-plugin-status"))
      .toBe("paused");
    await page.getByRole("button", { name: "Resume" }).waitFor();
  });

  it("the playbook editor offers installed plugins' actions, with an input per field they take", async () => {
    const bundle = `
import { WorkerEntrypoint } from "cloudflare:workers";
export default class extends WorkerEntrypoint {
  async invoke(call) { return { ok: true, value: { message: "Booked." } }; }
}`;
    const sha = createHash("sha256").update(bundle).digest("hex");
    const csrf = (await page.context().cookies(dash)).find((c) => c.name === "ap_csrf")?.value ?? "";
    const installed = await page.request.post(`${dash}/api/v1/plugins/installs`, {
      headers: { "x-csrf-token": csrf },
      data: {
        package: {
          format: 1,
          sha256: sha,
          bundle,
          readme: "",
          manifest: {
            id: "acme/booking",
            name: "Booking",
            version: "1.0.0",
            engine: "^1.0.0",
            kinds: ["action"],
            actions: [
              {
                name: "book",
                title: "Book a call",
                input: {
                  type: "object",
                  required: ["email"],
                  properties: { email: { type: "string", title: "Email" } },
                },
              },
            ],
          },
        },
        grant: { permissions: [], hosts: [] },
        config: {},
      },
    });
    expect(installed.status(), await installed.text()).toBe(201);

    await page.goto(`${dash}/routes/new`);
    await page.fill("#in-name", "Book a call");
    await page.fill("#in-examples", "book a call\nI want to book a call\nschedule a call please");
    await page.fill("#in-steps\\.0\\.prompt", "Your email?");
    await page.fill("#in-steps\\.0\\.field\\.label", "Email");
    await page.selectOption("#in-steps\\.0\\.field\\.type", "email");
    await page.selectOption("#add-step-kind", "action");
    await page.click(".add-step button");
    await page.selectOption("#in-steps\\.1\\.action\\.type", "call_plugin");
    const choice = page.locator("#in-steps\\.1\\.action\\.pluginAction");
    expect(await choice.locator("option").allTextContents()).toContain("Booking: Book a call");
    await choice.selectOption("acme/booking#book");
    await page.fill("#in-steps\\.1\\.action\\.input\\.email", "{{fields.email}}");
    expect(await axeViolations(page)).toEqual([]);
    await screenshots(page, "routes-editor-plugin-action");
    await page.selectOption("#add-step-kind", "end");
    await page.click(".add-step button");
    await page.click(".save-bar button");
    await page.waitForURL(/\/routes\/book-a-call\?saved=1/);
    const saved = await page.request.get(`${dash}/api/v1/routes/book-a-call`);
    const steps = ((await saved.json()) as { route: { steps: { kind: string; action?: unknown }[] } }).route
      .steps;
    expect(steps.find((st) => st.kind === "action")?.action).toEqual({
      type: "call_plugin",
      plugin: "acme/booking",
      method: "book",
      input: { email: "{{fields.email}}" },
    });
  });
});
