import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CallApi, seedWorkspace } from "../../../scripts/lib/seed.js";
import { seedDemoCrm } from "../../../scripts/start/demo-crm.js";
import {
  axeViolations,
  hasChromium,
  launchChromium,
  NAVIGATION_TIMEOUT_MS,
  screenshot,
  warnNoChromium,
} from "./browser.js";
import { type LocalStack, sharedStack } from "./local-stack.js";

// Issue 14 item 7: the demo workspace `npm start` makes shows the product working. The same seeding
// code (scripts/start/demo-crm.ts) runs against the shared stack's API, twice (the second run changes
// nothing); then the owner logs in and finds playbooks, leads, a pipeline with deals in every stage,
// conversations (one waiting, some closed and rated) and reports that count them.

if (!hasChromium) warnNoChromium("dashboard demo workspace test");

const ACCOUNT = {
  email: `demo-${Date.now()}@e2e.example`,
  password: "autopilot-demo",
  name: "Demo Owner",
  companyName: "Demo Company",
};

describe.skipIf(!hasChromium)("the demo workspace", () => {
  let stack: LocalStack;
  let browser: Browser;
  let page: Page;
  let apiKey = "";
  const call: CallApi = (path, init) => fetch(`${stack.apiUrl}${path}`, init);
  const get = async (path: string) =>
    (await call(path, { headers: { authorization: `Bearer ${apiKey}` } })).json() as Promise<
      Record<string, unknown[]>
    >;

  beforeAll(async () => {
    stack = sharedStack();
    ({ apiKey } = await seedWorkspace(call, ACCOUNT, { name: "demo", role: "owner" }));
    browser = await launchChromium();
    page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
    page.setDefaultTimeout(15_000);
    page.setDefaultNavigationTimeout(NAVIGATION_TIMEOUT_MS);
  });

  afterAll(async () => {
    await browser?.close();
  });

  it("is made through the API once, idempotently", async () => {
    const first = await seedDemoCrm(call, apiKey);
    expect(first.summary).toMatch(/created now/);
    expect(first.widgetKey).toMatch(/^wk_/);
    const counts = async () => ({
      routes: (await get("/v1/routes")).routes?.length,
      leads: (await get("/v1/leads?limit=100")).leads?.length,
      deals: (await get("/v1/deals?limit=100")).deals?.length,
      pipelines: (await get("/v1/pipelines")).pipelines?.length,
      keys: (await get("/v1/widget-keys")).widgetKeys?.length,
    });
    const before = await counts();
    // Four leads through the API, one from the chat's quote form.
    expect(before).toEqual({ routes: 1, leads: 5, deals: 7, pipelines: 1, keys: 1 });
    const again = await seedDemoCrm(call, apiKey);
    expect(again).toEqual({ widgetKey: first.widgetKey, summary: "existing" });
    expect(await counts()).toEqual(before);
  });

  it("shows the product working: deals in every stage, scored and assigned leads, the inbox, reports", async () => {
    await page.goto(`${stack.dashboardUrl}/login`);
    await page.getByLabel("Email").fill(ACCOUNT.email);
    await page.getByLabel("Password").fill(ACCOUNT.password);
    await page.getByRole("button", { name: "Log in" }).click();
    await page.waitForURL(`${stack.dashboardUrl}/`);
    // npm start also uploads the demo's knowledge pages: until then Home keeps that step open.
    await page.getByRole("link", { name: "Add your website or documents" }).waitFor();
    const faq = await call("/v1/knowledge/sources", {
      method: "POST",
      headers: { authorization: `Bearer ${apiKey}`, "content-type": "application/json" },
      body: JSON.stringify({
        kind: "faq",
        name: "FAQ",
        pairs: [{ question: "Do you ship to Canada?", answer: "Yes, in 3 to 7 business days." }],
      }),
    });
    expect(faq.status).toBe(201);
    await page.reload();
    // Home: set up, with a conversation waiting for a person and work to do.
    await page.getByRole("heading", { name: "Your assistant is live" }).waitFor();
    expect(await page.locator("[data-today]").textContent()).toContain("1 conversation waits for a person");

    await page.goto(`${stack.dashboardUrl}/deals`);
    for (const stage of ["New", "Qualified", "Proposal", "Negotiation", "Won", "Lost"]) {
      const cards = page.locator(`[data-stage="${stage}"] li`);
      expect(await cards.count(), stage).toBeGreaterThan(0);
    }
    await screenshot(page, "demo-deals");

    await page.goto(`${stack.dashboardUrl}/leads`);
    const rows = page.locator("tr[data-lead]");
    await rows.first().waitFor();
    expect(await rows.count()).toBe(5);
    // Every lead is scored and has an owner (the assignment rule gives them to the owner).
    for (const owner of await page.locator("[data-owner]").allTextContents())
      expect(owner).toBe("Demo Owner");
    // The lead from the chat's quote form carries what the customer said.
    await page.getByRole("link", { name: "Sofia Rossi" }).click();
    await page.getByText("What the customer said").waitFor();
    const said = (await page.locator("[data-collected]").textContent()) ?? "";
    expect(said).toContain("Lumen Agency");
    expect(said).toContain("12,000");
    expect(await page.getByRole("link", { name: "Read the conversation" }).count()).toBe(1);
    await screenshot(page, "demo-lead");

    await page.goto(`${stack.dashboardUrl}/inbox`);
    await page.locator(".conversation-list li").first().waitFor();
    expect(await page.locator(".conversation-list li").count()).toBeGreaterThanOrEqual(4);
    // The quote chat is listed by the customer's name and owned by its lead's owner.
    const sofia = page.locator(".conversation-list li", { hasText: "Sofia Rossi" });
    expect(await sofia.locator("[data-assignee]").textContent()).toBe("Demo Owner (lead owner)");
    await screenshot(page, "demo-inbox");

    // Reports: the ratings arrive through the events queue; reload until both are counted.
    await page.goto(`${stack.dashboardUrl}/reports`);
    const csat = page.locator("[data-csat-summary]");
    for (let i = 0; i < 30 && !/from 2 ratings/.test((await csat.textContent().catch(() => "")) ?? ""); i++) {
      await page.waitForTimeout(1000);
      await page.reload();
    }
    expect(await csat.textContent()).toMatch(/^4\.5 out of 5 from 2 ratings/);
    const board = page.locator("[data-report=leaderboard]");
    expect(await board.textContent()).toContain("Demo Owner");
    expect(await page.locator("[data-forecast-totals]").textContent()).toMatch(/Open deals [1-9]/);
    await screenshot(page, "demo-reports");
    expect(await axeViolations(page)).toEqual([]);
  });
});
