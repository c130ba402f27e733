import { mkdirSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Browser, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { hasChromium, launchChromium, warnNoChromium } from "../../../scripts/lib/chromium.js";
import { seedWorkspace } from "../../../scripts/lib/seed.js";
import { type LocalWorker, startLocalWorker } from "./local-worker.js";

// Issue 4's end-to-end test: a page on 127.0.0.1 embeds the widget with its one <script> tag; the
// worker runs in workerd through Miniflare (as the benchmarks do); Chromium, driven by keyboard only,
// chats with the bot, answers a choice field with a quick reply, reloads and finds its history.

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const SHOTS = join(ROOT, ".data", "screenshots");
if (!hasChromium) warnNoChromium("widget end-to-end test");

const quoteRoute = {
  id: "quote",
  name: "Get a quote",
  examples: ["I want a quote", "how much does it cost", "pricing please", "what are your prices"],
  steps: [
    { id: "hello", kind: "say", text: "Happy to help with a quote!", next: "ask_plan" },
    {
      id: "ask_plan",
      kind: "ask",
      prompt: "Which plan?",
      field: {
        name: "plan",
        label: "Plan",
        type: "choice",
        options: [
          { value: "basic", label: "Basic" },
          { value: "pro", label: "Pro" },
        ],
      },
      next: "done",
    },
    { id: "done", kind: "end", message: "Thanks, we'll be in touch." },
  ],
};

describe.skipIf(!hasChromium)("widget in Chromium", () => {
  let worker: LocalWorker;
  let page: Page;
  let browser: Browser;
  let site: Server;
  let siteUrl = "";

  beforeAll(async () => {
    worker = await startLocalWorker(ROOT);
    const api = worker.origin;
    const { apiKey } = await seedWorkspace(worker.call, {
      email: `e2e-${Date.now()}@autopilot.local`,
      password: "e2e-password-123",
      name: "E2E Owner",
      companyName: "E2E Company",
    });
    const post = async (path: string, body: unknown) => {
      const res = await worker.call(path, {
        method: "POST",
        headers: { authorization: `Bearer ${apiKey}`, "content-type": "application/json" },
        body: JSON.stringify(body),
      });
      const json = (await res.json()) as Record<string, unknown>;
      if (res.status !== 201) throw new Error(`${path}: ${res.status} ${JSON.stringify(json)}`);
      return json;
    };
    await post("/v1/routes", quoteRoute);
    const key = await post("/v1/widget-keys", { settings: { title: "Chat with us" } });
    const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Customer site</title></head>
<body><h1>Acme widgets</h1><p>A customer's page.</p><a href="#pricing">Pricing</a>
<script src="${api}/widget.js" data-key="${String(key.publicKey)}" async></script></body></html>`;
    site = createServer((_req, res) => {
      res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
      res.end(html);
    });
    await new Promise<void>((resolve) => site.listen(0, "127.0.0.1", resolve));
    siteUrl = `http://127.0.0.1:${(site.address() as AddressInfo).port}/`;
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 900, height: 700 } });
    mkdirSync(SHOTS, { recursive: true });
  });

  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => (site ? site.close(resolve) : resolve(undefined)));
    await worker?.close();
  });

  afterEach((ctx) => {
    if (ctx.task.result?.state === "fail")
      console.error(`--- worker output ---\n${worker?.logs().slice(-5000)}`);
  });

  const launcher = () => page.locator("[data-autopilot-widget] .ap-o");
  const log = () => page.locator("[data-autopilot-widget] [role=log]");

  /** Tabs (bounded) until the widget's launcher has focus: the keyboard reaches it like any button. */
  async function tabToLauncher() {
    for (let i = 0; i < 10; i++) {
      await page.keyboard.press("Tab");
      if (await launcher().evaluate((el) => el === document.activeElement)) return;
    }
    throw new Error("the launcher never got keyboard focus");
  }

  it("chats by keyboard, offers quick replies for a choice and keeps the history across a reload", async () => {
    await page.goto(siteUrl);
    await expect.poll(() => launcher().textContent(), { timeout: 15_000 }).toBe("Chat with us");
    await page.screenshot({ path: join(SHOTS, "widget-1-closed.png") });

    await tabToLauncher();
    await page.keyboard.press("Enter");
    expect(await launcher().getAttribute("aria-expanded")).toBe("true");
    // Opening moves focus to the message box.
    await expect
      .poll(() => page.evaluate(() => document.activeElement?.id), { timeout: 15_000 })
      .toBe("ap-in");
    await page.keyboard.type("how much does it cost?");
    await page.keyboard.press("Enter");
    await log().getByText("Which plan?").waitFor({ timeout: 15_000 });
    expect(await log().textContent()).toContain("Happy to help with a quote!");
    const quick = page.locator("[data-autopilot-widget] .ap-q button");
    expect(await quick.allTextContents()).toEqual(["Basic", "Pro"]);
    await page.screenshot({ path: join(SHOTS, "widget-2-quick-replies.png") });

    // Quick replies are buttons in tab order, just before the message box: Shift+Tab reaches "Pro".
    await page.keyboard.press("Shift+Tab");
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe("Pro");
    await page.keyboard.press("Enter");
    await log().getByText("Thanks, we'll be in touch.").waitFor({ timeout: 15_000 });
    await page.screenshot({ path: join(SHOTS, "widget-3-answered.png") });

    // Reload: the same visitor and conversation (kept in localStorage) come back with the transcript.
    await page.reload();
    await expect.poll(() => launcher().textContent(), { timeout: 15_000 }).toBe("Chat with us");
    await tabToLauncher();
    await page.keyboard.press("Enter");
    await log().getByText("Thanks, we'll be in touch.").waitFor({ timeout: 15_000 });
    const lines = await page.locator("[data-autopilot-widget] .ap-m").allTextContents();
    expect(lines).toEqual([
      "how much does it cost?",
      "Happy to help with a quote!",
      "Which plan?",
      "Pro",
      "Thanks, we'll be in touch.",
    ]);
    await page.screenshot({ path: join(SHOTS, "widget-4-after-reload.png") });
    // Escape closes the panel and gives focus back to the launcher.
    await page.keyboard.press("Escape");
    expect(await launcher().evaluate((el) => el === document.activeElement)).toBe(true);
  });
});
