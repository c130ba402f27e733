import { mkdirSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { axeViolations } from "../../../scripts/lib/axe.js";
import { hasChromium, launchChromium, warnNoChromium } from "../../../scripts/lib/chromium.js";
import { seedWorkspace } from "../../../scripts/lib/seed.js";
import { waitUntil } from "../../../scripts/lib/wait.js";
import { startFakeOpenAi } from "../test/fake-openai.js";
import { quoteRoute } from "../test/fixtures/routes.js";
import { type LocalWorker, startLocalWorker } from "./local-worker.js";

// The chat widget as a customer meets it: a page on 127.0.0.1 (with hostile CSS) embeds it with its
// one <script> tag; the worker runs in workerd through Miniflare; Chromium drives it by keyboard and
// mouse, on a desktop and a phone viewport; agents act through the API as the inbox does. Knowledge
// answers come from the same site, crawled by the worker (local hosts allowed for this test only).

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const SHOTS = join(ROOT, ".data", "screenshots", "widget");
if (!hasChromium) warnNoChromium("widget end-to-end test");

// The customer's site: its home page carries the widget; /shipping is what the knowledge base reads.
// The page's CSS is deliberately hostile: it must not reach into the widget.
const HOSTILE_CSS = `* { font-family: "Courier New", monospace !important; color: rgb(255, 0, 0) !important; }
button { display: none !important; } div { border: 5px solid lime !important; padding: 40px !important; }
.ap-m, .ap-launcher { background: rgb(0, 255, 0) !important; }`;
const shippingPage = `<!doctype html><html lang="en"><head><title>Shipping</title></head><body><main>
<h1>Shipping and delivery</h1>
<h2>Delivery to Canada</h2>
<p>We deliver to Canada within 5 to 8 business days. Shipping to Canada costs $29 per order.</p>
<h2>Returns</h2><p>Returns are free within 30 days of delivery.</p></main></body></html>`;

describe.skipIf(!hasChromium)("widget in Chromium", () => {
  let worker: LocalWorker;
  let browser: Browser;
  let site: Server;
  let siteUrl = "";
  let apiKey = "";
  const contexts: BrowserContext[] = [];

  const api = async (method: string, path: string, body?: unknown) => {
    const res = await worker.call(path, {
      method,
      headers: { authorization: `Bearer ${apiKey}`, "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const json = (await res.json()) as Record<string, unknown>;
    if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
    return json;
  };

  beforeAll(async () => {
    worker = await startLocalWorker(ROOT, {
      bindings: { KNOWLEDGE_CRAWL_DELAY_MS: "0" },
    });
    ({ apiKey } = await seedWorkspace(worker.call, {
      email: `e2e-${Date.now()}@autopilot.local`,
      password: "e2e-password-123",
      name: "E2E Owner",
      companyName: "Spoke & Chain Bikes",
    }));
    await api("POST", "/v1/routes", quoteRoute);
    const key = await api("POST", "/v1/widget-keys", {
      settings: { title: "Chat with us", greeting: "Hi! Ask us about bikes, delivery or repairs." },
    });
    const home = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Customer site</title>
<meta name="viewport" content="width=device-width, initial-scale=1"><style>${HOSTILE_CSS}</style></head>
<body><main><h1>Spoke &amp; Chain Bikes</h1><p>A customer's page.</p><a href="/shipping">Shipping</a>
<p class="ap-m">Page text that happens to use a widget class name.</p></main>
<script src="${worker.origin}/widget.js" data-key="${String(key.publicKey)}" async></script></body></html>`;
    site = createServer((req, res) => {
      const path = new URL(req.url ?? "/", "http://x").pathname;
      if (path === "/robots.txt") return res.writeHead(404).end();
      res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
      res.end(path === "/shipping" ? shippingPage : home);
    });
    await new Promise<void>((resolve) => site.listen(0, "127.0.0.1", resolve));
    siteUrl = `http://127.0.0.1:${(site.address() as AddressInfo).port}/`;
    // The knowledge base reads the shipping page (crawled in the background through the queue).
    const source = await api("POST", "/v1/knowledge/sources", {
      kind: "website",
      startUrl: `${siteUrl}shipping`,
      maxPages: 1,
    });
    const crawled = await waitUntil({
      probe: async () =>
        (((await api("GET", `/v1/knowledge/sources/${String(source.id)}`)) as { pageCount?: number })
          .pageCount ?? 0) > 0,
      timeoutMs: 60_000,
      intervalMs: 500,
    });
    if (!crawled.ok) throw new Error(`the shipping page was not crawled: ${crawled.reason}`);
    browser = await launchChromium();
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

  async function newPage(viewport = { width: 1000, height: 760 }): Promise<Page> {
    const context = await browser.newContext({ viewport, isMobile: viewport.width < 500 });
    contexts.push(context);
    const page = await context.newPage();
    await page.goto(siteUrl);
    return page;
  }

  const widget = (page: Page) => page.locator("[data-autopilot-widget]");
  const launcher = (page: Page) => widget(page).locator(".ap-launcher");
  const log = (page: Page) => widget(page).locator("[role=log]");
  const bubbles = async (page: Page) =>
    (await widget(page).locator(".ap-log > .ap-m, .ap-log > .ap-divider").allTextContents()).map((t) =>
      t.replace(/^You: /, ""),
    );
  /** The element focused inside the widget's Shadow DOM (document.activeElement is its host). */
  const focused = (page: Page) =>
    page.evaluate(() => {
      const el = document.querySelector("[data-autopilot-widget]")?.shadowRoot?.activeElement;
      return el ? { id: el.id, text: el.textContent, cls: el.className } : null;
    });
  const conversationIds = (page: Page) =>
    page.evaluate(() => JSON.parse(localStorage.getItem("ap_conversations") ?? "[]") as string[]);

  /** Tabs (bounded) until the launcher has focus: the keyboard reaches it like any button. */
  async function tabToLauncher(page: Page) {
    for (let i = 0; i < 10; i++) {
      await page.keyboard.press("Tab");
      if ((await focused(page))?.cls === "ap-launcher") return;
    }
    throw new Error("the launcher never got keyboard focus");
  }

  it("chats by keyboard, offers quick replies for a choice and keeps the history across a reload", async () => {
    const page = await newPage();
    await expect.poll(() => launcher(page).textContent(), { timeout: 15_000 }).toBe("Chat with us");
    // Shadow DOM: the page's hostile CSS neither hides nor restyles the widget, nor does the
    // widget's CSS style the page's own element that shares a class name.
    expect(await launcher(page).isVisible()).toBe(true);
    const style = await launcher(page).evaluate((el) => {
      const s = getComputedStyle(el);
      return { color: s.color, background: s.backgroundColor, font: s.fontFamily };
    });
    expect(style.color).not.toBe("rgb(255, 0, 0)");
    expect(style.background).not.toBe("rgb(0, 255, 0)");
    expect(style.font).not.toMatch(/Courier/);
    const pageBubble = await page.locator("main .ap-m").evaluate((el) => getComputedStyle(el).borderRadius);
    expect(pageBubble).toBe("0px");
    await page.screenshot({ path: join(SHOTS, "desktop-1-closed.png") });

    await tabToLauncher(page);
    await page.keyboard.press("Enter");
    expect(await launcher(page).getAttribute("aria-expanded")).toBe("true");
    await expect.poll(async () => (await focused(page))?.id, { timeout: 15_000 }).toBe("ap-in");
    expect(await widget(page).locator(".ap-head h2").textContent()).toBe("Spoke & Chain Bikes");
    expect(await bubbles(page)).toEqual(["Hi! Ask us about bikes, delivery or repairs."]);
    // Opening the panel starts nothing: the first message does.
    expect(await conversationIds(page)).toEqual([]);
    await page.keyboard.type("I want a quote");
    await page.keyboard.press("Enter");
    await log(page).getByText("Which plan?").waitFor({ timeout: 15_000 });
    expect(await log(page).textContent()).toContain("Happy to help with a quote!");
    const quick = widget(page).locator(".ap-quick button");
    expect(await quick.allTextContents()).toEqual(["Basic", "Pro"]);
    // Quick replies never cover messages: they sit below the log, not over it.
    const logBox = await log(page).boundingBox();
    const quickBox = await quick.first().boundingBox();
    expect(quickBox && logBox && quickBox.y >= logBox.y + logBox.height - 1).toBe(true);
    // A visitor bubble is as wide as its text, not the whole row.
    const visitorWidth = await widget(page)
      .locator(".ap-visitor")
      .first()
      .evaluate((el) => el.getBoundingClientRect().width);
    expect(visitorWidth).toBeLessThan((logBox?.width ?? 0) * 0.7);
    await page.screenshot({ path: join(SHOTS, "desktop-2-quick-replies.png") });
    expect(await axeViolations(page, "[data-autopilot-widget]")).toEqual([]);

    // Quick replies are buttons in tab order, just before the message box: Shift+Tab reaches "Pro".
    await page.keyboard.press("Shift+Tab");
    expect((await focused(page))?.text).toBe("Pro");
    await page.keyboard.press("Enter");
    await log(page).getByText("Thanks, we'll be in touch.").waitFor({ timeout: 15_000 });
    expect(await quick.count()).toBe(0);

    // Reload: the same visitor and conversation (kept in localStorage) come back with the transcript.
    await page.reload();
    await expect.poll(() => launcher(page).textContent(), { timeout: 15_000 }).toBe("Chat with us");
    await tabToLauncher(page);
    await page.keyboard.press("Enter");
    await log(page).getByText("Thanks, we'll be in touch.").waitFor({ timeout: 15_000 });
    expect(await bubbles(page)).toEqual([
      "Hi! Ask us about bikes, delivery or repairs.",
      "I want a quote",
      "Happy to help with a quote!",
      "Which plan?",
      "Pro",
      "Thanks, we'll be in touch.",
    ]);
    // Escape closes the panel and gives focus back to the launcher.
    await page.keyboard.press("Escape");
    expect((await focused(page))?.cls).toBe("ap-launcher");
  });

  it("answers from the site's pages with the sources as links under the answer", async () => {
    const page = await newPage();
    await launcher(page).click();
    await widget(page).locator("#ap-in").fill("How much is delivery to Canada?");
    await widget(page).locator("#ap-in").press("Enter");
    const link = widget(page).locator(".ap-src a").first();
    await link.waitFor({ timeout: 15_000 });
    expect(await link.getAttribute("href")).toBe(`${siteUrl}shipping`);
    expect(await link.getAttribute("target")).toBe("_blank");
    expect(await log(page).textContent()).toContain("$29");
    await page.screenshot({ path: join(SHOTS, "desktop-3-sources.png") });
  });

  it("with a model, shows the answer as it is written: grounded sentences only, then the answer", async () => {
    // The tests' OpenAI-compatible fake: "fake-stream" drafts two true sentences with an invented one
    // between them, streamed in small pieces.
    const fake = await startFakeOpenAi();
    try {
      await api("PUT", "/v1/ai/settings", {
        provider: "openai",
        baseUrl: fake.url,
        model: "fake-stream",
        apiKey: "sk-test",
      });
      const page = await newPage();
      await launcher(page).click();
      // Every text the draft bubble shows, as the page sees it.
      await page.evaluate(() => {
        const root = document.querySelector("[data-autopilot-widget]")?.shadowRoot;
        const seen: string[] = [];
        (window as unknown as { drafts: string[] }).drafts = seen;
        if (root)
          new MutationObserver(() => {
            const text = root.querySelector(".ap-draft")?.textContent;
            if (text && seen.at(-1) !== text) seen.push(text);
          }).observe(root, { subtree: true, childList: true, characterData: true });
      });
      await widget(page).locator("#ap-in").fill("How much is delivery to Canada?");
      await widget(page).locator("#ap-in").press("Enter");
      await widget(page).locator(".ap-src a").first().waitFor({ timeout: 15_000 });
      const drafts = await page.evaluate(() => (window as unknown as { drafts: string[] }).drafts);
      const answer =
        "We deliver to Canada within 5 to 8 business days. Shipping to Canada costs $29 per order.";
      expect(drafts).toEqual(["We deliver to Canada within 5 to 8 business days.", answer]);
      expect((await bubbles(page)).at(-1)).toContain(answer);
      expect(await widget(page).locator(".ap-draft").count()).toBe(0);
      expect(await log(page).textContent()).not.toContain("discount");
      expect(await axeViolations(page, "[data-autopilot-widget]")).toEqual([]);
    } finally {
      await api("PUT", "/v1/ai/settings", { provider: "offline" });
      await fake.close();
    }
  });

  it("after an agent closes the chat the customer rates it, and their next message starts a new conversation", async () => {
    const page = await newPage();
    await launcher(page).click();
    await widget(page).locator("#ap-in").fill("I want a quote");
    await widget(page).locator("#ap-in").press("Enter");
    await log(page).getByText("Which plan?").waitFor({ timeout: 15_000 });
    const [first] = await conversationIds(page);
    if (!first) throw new Error("no conversation stored");

    // The panel is closed while an agent takes over and writes: the launcher shows an unread badge.
    await widget(page).locator(".ap-close").click();
    await api("POST", `/v1/conversations/${first}/takeover`);
    await api("POST", `/v1/conversations/${first}/reply`, { text: "Hi, this is Maya from sales." });
    const badge = widget(page).locator(".ap-badge");
    await expect.poll(() => badge.textContent(), { timeout: 15_000 }).toBe("1");
    expect(await launcher(page).getAttribute("aria-label")).toBe("Chat with us, 1 unread message");
    await page.screenshot({ path: join(SHOTS, "desktop-4-unread.png") });
    await launcher(page).click();
    expect(await badge.isVisible()).toBe(false);
    await log(page).getByText("Hi, this is Maya from sales.").waitFor();

    await api("POST", `/v1/conversations/${first}/close`);
    const rating = widget(page).locator(".ap-rate");
    await rating.waitFor({ timeout: 15_000 });
    // The old "1".."5" quick replies are gone: rating is its own form.
    expect(await widget(page).locator(".ap-quick button").count()).toBe(0);
    await rating.locator("label", { hasText: "4 out of 5" }).click();
    await rating.locator("textarea").fill("Maya was quick and friendly");
    await page.screenshot({ path: join(SHOTS, "desktop-5-rating.png") });
    expect(await axeViolations(page, "[data-autopilot-widget]")).toEqual([]);
    await rating.getByRole("button", { name: "Send rating" }).click();
    await widget(page).getByText("Thank you for your feedback!").waitFor({ timeout: 15_000 });

    // Saved: the inbox reads the score and the comment (copied to Postgres by the conversation).
    await expect
      .poll(
        async () => {
          const c = (await api("GET", `/v1/conversations/${first}`)) as {
            conversation: { csatScore: number | null; csatComment?: string | null };
          };
          return [c.conversation.csatScore, c.conversation.csatComment];
        },
        { timeout: 15_000, interval: 300 },
      )
      .toEqual([4, "Maya was quick and friendly"]);

    // The customer writes again: a new conversation below the closed one, which stays readable.
    await widget(page).locator("#ap-in").fill("One more thing: do you repair e-bikes?");
    await widget(page).locator("#ap-in").press("Enter");
    await expect.poll(() => conversationIds(page), { timeout: 15_000 }).toHaveLength(2);
    const lines = await bubbles(page);
    expect(lines).toContain("Hi, this is Maya from sales.");
    expect(lines.indexOf("New conversation")).toBeGreaterThan(lines.indexOf("Hi, this is Maya from sales."));
    await log(page).getByText("One more thing: do you repair e-bikes?").waitFor();
    const [, second] = await conversationIds(page);
    await expect
      .poll(
        async () =>
          ((await api("GET", `/v1/conversations/${second}`)) as { messages: unknown[] }).messages.length,
        {
          timeout: 15_000,
          interval: 300,
        },
      )
      .toBeGreaterThan(0);
    await page.screenshot({ path: join(SHOTS, "desktop-6-new-conversation.png") });
  });

  it("fills the screen on a phone and stays accessible there", async () => {
    const page = await newPage({ width: 390, height: 844 });
    await expect.poll(() => launcher(page).textContent(), { timeout: 15_000 }).toBe("Chat with us");
    await page.screenshot({ path: join(SHOTS, "phone-1-closed.png") });
    await launcher(page).click();
    const panel = widget(page).locator(".ap-panel");
    const box = await panel.boundingBox();
    expect(box).toEqual({ x: 0, y: 0, width: 390, height: 844 });
    await widget(page).locator("#ap-in").fill("I want a quote");
    await widget(page).locator("#ap-in").press("Enter");
    await log(page).getByText("Which plan?").waitFor({ timeout: 15_000 });
    await page.screenshot({ path: join(SHOTS, "phone-2-open.png") });
    expect(await axeViolations(page, "[data-autopilot-widget]")).toEqual([]);
    // The header's close button is reachable and gives the launcher back.
    await widget(page).locator(".ap-close").click();
    expect(await launcher(page).isVisible()).toBe(true);
  });
});
