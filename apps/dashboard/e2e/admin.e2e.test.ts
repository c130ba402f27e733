// Over 400 lines on purpose: one browser session walks the admin screens in order, each building on the last.
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  axeViolations,
  hasChromium,
  launchChromium,
  NAVIGATION_TIMEOUT_MS,
  okJson,
  screenshots,
  warnNoChromium,
} from "./browser.js";
import { type LocalStack, sharedStack } from "./local-stack.js";

// The admin screens in Chromium on the full local stack: the route editor (an engine error shown on the
// step it names, not on its neighbours; then saved and tried), settings (a viewer sees no settings link
// and the pages refuse; an API key shown once; "test connection" says what failed), knowledge (an FAQ
// source, its search test with scores), reports (a new deal counted in the forecast, CSV export).
// Screenshots, desktop and 390 px, go to .data/screenshots/dashboard/.

if (!hasChromium) warnNoChromium("dashboard admin end-to-end tests");

const stamp = Date.now();
const EMAIL = `admin-${stamp}@e2e.example`;
const VIEWER = `viewer-${stamp}@e2e.example`;
const PASSWORD = "correct-horse-battery";

describe.skipIf(!hasChromium)("admin screens in Chromium", () => {
  let stack: LocalStack;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let dash = "";
  let csrf = "";

  const shots = (name: string, p: Page = page) => screenshots(p, name);
  const json = okJson;
  const apiCall = async (method: "POST" | "PUT", path: string, data: unknown = {}) =>
    json(await page.request.fetch(`${dash}/api${path}`, { method, data, headers: { "x-csrf-token": csrf } }));
  const apiGet = async (path: string) => json(await page.request.get(`${dash}/api${path}`));

  beforeAll(async () => {
    stack = sharedStack();
    dash = stack.dashboardUrl;
    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    page = await context.newPage();
    page.setDefaultTimeout(20_000);
    page.setDefaultNavigationTimeout(NAVIGATION_TIMEOUT_MS);
    const signup = await page.request.post(`${dash}/api/v1/auth/signup`, {
      data: { name: "Ada Admin", companyName: "Admin Screens Ltd", email: EMAIL, password: PASSWORD },
    });
    expect(signup.status(), await signup.text()).toBe(201);
    csrf = (await context.cookies(dash)).find((c) => c.name === "ap_csrf")?.value ?? "";
    expect(csrf).not.toBe("");
  });

  afterAll(async () => {
    await browser?.close();
  });

  it("route editor: an engine error shows on the step it names, then the route saves and answers try-it", async () => {
    await page.goto(`${dash}/routes`);
    await page.getByText("No routes yet").waitFor();
    await page.goto(`${dash}/routes/new`);
    await page.fill("#in-name", "Get a quote");
    await page.fill("#in-examples", "I need a quote\nhow much for 100 units\nprice for a bulk order");
    await page.fill("#in-steps\\.0\\.prompt", "What is your email?");
    await page.fill("#in-steps\\.0\\.field\\.label", "Email");
    await page.selectOption("#in-steps\\.0\\.field\\.type", "email");
    await page.selectOption("#add-step-kind", "ask");
    await page.click(".add-step button");
    await page.fill("#in-steps\\.1\\.prompt", "Which plan?");
    await page.fill("#in-steps\\.1\\.field\\.label", "Plan");
    await page.selectOption("#in-steps\\.1\\.field\\.type", "choice");
    await page.selectOption("#add-step-kind", "end");
    await page.click(".add-step button");
    await page.fill("#in-steps\\.2\\.message", "Thanks, we'll send the quote.");
    await page.click(".save-bar button");
    // The choice step (ask-2) has no options: the error is on that step and on no other.
    const onStep = page.locator('[data-step-error="ask-2"]');
    await expect.poll(() => onStep.textContent(), { timeout: 20_000 }).toMatch(/no options/);
    expect(await page.locator("[data-step-error]").count()).toBe(1);
    expect(await page.locator('fieldset[data-step="ask-2"]').getAttribute("aria-invalid")).toBe("true");
    await shots("routes-editor-errors");

    await page.fill("#in-steps\\.1\\.field\\.options", "starter = Starter\nbusiness = Business");
    await page.click(".save-bar button");
    await page.waitForURL(/\/routes\/get-a-quote\?saved=1/);
    await shots("routes-editor");

    await page.goto(`${dash}/routes`);
    await page.getByRole("link", { name: "Get a quote" }).waitFor();
    await page.fill("#try-text", "how much for 100 units?");
    await page.click(".try button[type=submit]");
    await expect
      .poll(() => page.locator("[data-try-route]").first().getAttribute("data-try-route"))
      .toBe("get-a-quote");
    await expect
      .poll(() => page.locator(".try-reply").first().textContent())
      .toContain("What is your email?");
    await shots("routes-list");
  });

  it("playbook editor: steps connect by choosing, a branch is built from the form's fields, new steps go where the owner is", async () => {
    await page.goto(`${dash}/routes/get-a-quote`);
    const value = (id: string) => page.locator(`[id="${id}"]`).inputValue();
    const pick = (id: string, option: string) => page.locator(`[id="${id}"]`).selectOption(option);
    const add = async (kind: string) => {
      await pick("add-step-kind", kind);
      await page.locator(".add-step button").click();
    };
    // "Then go to" is a choice of named steps, never a typed id.
    const nextOfPlan = page.locator('[id="in-steps.1.next"]');
    expect(await nextOfPlan.evaluate((el) => el.tagName)).toBe("SELECT");
    expect(await nextOfPlan.locator("option:checked").textContent()).toBe("3. End");

    // Working on the End step, a new step goes in before it, wired between the plan question and End.
    await page.locator('[id="in-steps.2.message"]').click();
    expect(await value("add-step-after")).toBe("2");
    await add("say");
    expect(await page.locator("fieldset.step legend").allTextContents()).toEqual([
      "1. Ask (form field) — starts here",
      "2. Ask (form field)",
      "3. Say",
      "4. End",
    ]);
    expect(await value("in-steps.1.next")).toBe("say-4");
    expect(await value("in-steps.2.next")).toBe("end-3");
    await page.locator('[id="in-steps.2.text"]').fill("Thanks! We'll prepare your quote.");

    // Working on the plan question, a branch goes in right after it and takes over where it led.
    await page.locator('[id="in-steps.1.prompt"]').click();
    await add("branch");
    expect(await value("in-steps.1.next")).toBe("branch-5");
    expect(await value("in-steps.2.otherwise")).toBe("say-4");
    const branch = page.locator('fieldset[data-step="branch-5"]');
    await branch.getByRole("button", { name: "Add condition" }).click();
    // The condition reads the form's own fields; a choice field offers its options.
    expect(await page.locator('[id="step-2-case-0-0-var"] option').allTextContents()).toContain("Plan");
    await pick("step-2-case-0-0-var", "fields.plan");
    await pick("step-2-case-0-0-op", "eq");
    await pick("step-2-case-0-0-value", "business");
    // A hand-off for business plans, added while working on the branch: it lands right after it.
    await add("handoff");
    expect(await page.locator("fieldset.step legend").nth(3).textContent()).toBe("4. Hand off to a human");
    await pick("in-steps.2.cases.0.next", "handoff-6");
    expect(await page.locator('[id="in-steps.2.cases.0.next"] option:checked').textContent()).toBe(
      "4. Hand off to a human",
    );
    await shots("routes-editor-branch");
    expect(await axeViolations(page)).toEqual([]);
    await page.locator(".save-bar button").click();
    await page.waitForURL(/\/routes\/get-a-quote\?saved=1/);

    const saved = ((await apiGet("/v1/routes/get-a-quote")) as { route: unknown }).route as {
      steps: { id: string; kind: string; next?: string; otherwise?: string; cases?: unknown[] }[];
    };
    expect(saved.steps.map((st) => st.id)).toEqual([
      "ask-1",
      "ask-2",
      "branch-5",
      "handoff-6",
      "say-4",
      "end-3",
    ]);
    const savedBranch = saved.steps[2];
    expect(savedBranch?.cases).toEqual([
      { when: { all: [{ var: "fields.plan", op: "eq", value: "business" }] }, next: "handoff-6" },
    ]);
    expect(savedBranch?.otherwise).toBe("say-4");
    expect(saved.steps[4]?.next).toBe("end-3");
  });

  it("settings: every tab renders, an API key is shown once, test connection says what failed", async () => {
    for (const [path, name] of [
      ["/settings", "settings-team"],
      ["/settings/assignment", "settings-assignment"],
      ["/settings/pipelines", "settings-pipelines"],
    ] as const) {
      await page.goto(`${dash}${path}`);
      await page.getByRole("heading", { name: "Settings" }).waitFor();
      await shots(name);
    }
    // A team, then a round-robin rule within it (round-robin needs a team: first refused on the field).
    await page.goto(`${dash}/settings`);
    await page.fill("#team-name", "Sales");
    await page.getByRole("button", { name: "Create team" }).click();
    await page.getByRole("button", { name: "Add to team" }).click();
    await page.getByRole("button", { name: /^Remove .* from Sales$/ }).waitFor();
    await page.goto(`${dash}/settings/assignment`);
    await page.fill("#field-name", "Hot leads");
    await page.fill("#field-conditions\\.minScore", "70");
    await page.getByRole("button", { name: "Add rule" }).click();
    await expect
      .poll(() => page.locator('[data-field-error="teamId"]').textContent())
      .toMatch(/required for round_robin/i);
    await page.selectOption("#rule-team", { label: "Sales" });
    await page.getByRole("button", { name: "Add rule" }).click();
    await expect.poll(() => page.locator(".card.rule").first().textContent()).toContain("score 70–100");
    await shots("settings-assignment-rule");

    await page.goto(`${dash}/settings/api-keys`);
    await page.fill("#field-name", "Zapier");
    await page.click("button.primary");
    const secret = await page.locator("[data-new-key]").textContent();
    expect(secret).toMatch(/^ak_/);
    await shots("settings-api-keys");
    await page.goto(`${dash}/settings/api-keys`);
    await page.getByRole("button", { name: "Revoke Zapier" }).waitFor();
    expect(await page.content()).not.toContain(secret ?? "never");

    await page.goto(`${dash}/settings/ai`);
    await page.check("input[value=openai]");
    await page.fill("#field-baseUrl", "http://127.0.0.1:9/v1");
    await page.fill("#field-model", "gpt-test");
    await page.fill("#field-apiKey", "sk-test");
    await page.getByRole("button", { name: "Test connection" }).click();
    await expect
      .poll(() => page.locator("[data-ai-test]").textContent(), { timeout: 30_000 })
      .toMatch(/Not connected: (Could not reach|No answer)/);
    await shots("settings-ai");
  });

  it("knowledge: an FAQ source is indexed and the search test shows chunks with scores", async () => {
    await page.goto(`${dash}/knowledge`);
    await page.getByText("No sources yet").waitFor();
    await page.fill("#field-name", "Shipping FAQ");
    await page.fill("#faq-pairs", "Do you ship abroad? | Yes, we ship worldwide within five working days.");
    await page.getByRole("button", { name: "Add FAQ" }).click();
    await page.getByText("Shipping FAQ").waitFor();
    // A Markdown document: uploaded as multipart through the dashboard, its text extracted in the background.
    await page.setInputFiles("#field-file", {
      name: "returns.md",
      mimeType: "text/markdown",
      buffer: Buffer.from("# Returns\n\nYou can return any widget within 30 days for a full refund.\n"),
    });
    await page.getByRole("button", { name: "Upload" }).click();
    await page.locator('li.source:has-text("returns")').waitFor();
    await expect
      .poll(
        async () => {
          await page.goto(`${dash}/knowledge?q=${encodeURIComponent("return widget refund")}`);
          return page.locator(".chunk-list li").count();
        },
        { timeout: 60_000, interval: 2000 },
      )
      .toBeGreaterThan(0);
    // Each result names its source's kind: the document is a document, not an "FAQ".
    expect(await page.locator(".chunk-list [data-chunk-source]").first().textContent()).toMatch(
      /^Document · /,
    );
    await expect
      .poll(
        async () => {
          await page.goto(`${dash}/knowledge?q=${encodeURIComponent("ship abroad")}`);
          return page.locator(".chunk-list li").count();
        },
        { timeout: 60_000, interval: 2000 },
      )
      .toBeGreaterThan(0);
    expect(await page.locator(".chunk-list .score").first().textContent()).toMatch(/score \d/);
    expect(await page.locator(".chunk-list [data-chunk-source]").first().textContent()).toBe(
      "FAQ · Shipping FAQ",
    );
    await shots("knowledge");
  });

  it("reports: the forecast counts every open deal (dated or not) as the API does; CSAT and SLA are on screen; the CSV export downloads", async () => {
    let { pipelines } = await apiGet("/v1/pipelines");
    if (pipelines.length === 0) {
      await apiCall("POST", "/v1/pipelines", {
        name: "Sales",
        stages: [
          { name: "New", probability: 20, category: "open" },
          { name: "Won", probability: 100, category: "won" },
          { name: "Lost", probability: 0, category: "lost" },
        ],
      });
      ({ pipelines } = await apiGet("/v1/pipelines"));
    }
    const today = new Date().toISOString().slice(0, 10);
    await apiCall("POST", "/v1/deals", {
      title: "Bulk order",
      amount: 5000,
      currency: "USD",
      expectedCloseDate: today,
    });
    // Closing next year and with no close date at all: both are open pipeline, whatever the range.
    const nextYear = new Date(Date.now() + 300 * 86_400_000).toISOString().slice(0, 10);
    await apiCall("POST", "/v1/deals", {
      title: "Fleet",
      amount: 20_000,
      currency: "USD",
      expectedCloseDate: nextYear,
    });
    await apiCall("POST", "/v1/deals", { title: "Someday", amount: 700, currency: "USD" });
    const api = await apiGet("/v1/forecast?currency=USD");
    expect(api.totals.openDeals).toBeGreaterThanOrEqual(3);

    // A customer rates a closed chat 4 of 5 (through the widget API, as the widget does).
    const { publicKey } = await apiCall("POST", "/v1/widget-keys", { settings: {} });
    const session = await (
      await fetch(`${stack.apiUrl}/v1/widget/session`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ publicKey }),
      })
    ).json();
    const visitor = { "content-type": "application/json", authorization: `Bearer ${session.token}` };
    const started = await (
      await fetch(`${stack.apiUrl}/v1/widget/conversations`, { method: "POST", headers: visitor, body: "{}" })
    ).json();
    const id = started.conversation.id;
    await fetch(`${stack.apiUrl}/v1/widget/conversations/${id}/messages`, {
      method: "POST",
      headers: visitor,
      body: JSON.stringify({ text: "hello" }),
    });
    await apiCall("POST", `/v1/conversations/${id}/close`);
    const rated = await fetch(`${stack.apiUrl}/v1/widget/conversations/${id}/csat`, {
      method: "POST",
      headers: visitor,
      body: JSON.stringify({ score: 4, comment: "Good" }),
    });
    expect(rated.status).toBe(200);

    await page.goto(`${dash}/reports`);
    const forecast = page.locator("section", { has: page.getByRole("heading", { name: /Forecast/ }) });
    await expect
      .poll(() => forecast.locator("[data-forecast-totals]").textContent())
      .toContain(`Open deals ${api.totals.openDeals} `);
    expect(await forecast.locator("svg rect").count()).toBeGreaterThan(0);
    expect(await forecast.textContent()).toContain("No close date");
    // The rating reaches the report through the events queue: reload until it is counted.
    const csat = page.locator("[data-csat-summary]");
    for (let i = 0; i < 30 && !(await csat.count()); i++) {
      await page.waitForTimeout(1000);
      await page.reload();
    }
    expect(await csat.textContent()).toMatch(/^4\.0 out of 5 from 1 rating/);
    await page.getByRole("heading", { name: "Missed response times (SLA)" }).waitFor();
    expect(await axeViolations(page)).toEqual([]);
    await page.waitForSelector("[data-live-status=live]", { timeout: 20_000 });
    const csvHref = await page.getByRole("link", { name: "Export CSV" }).first().getAttribute("href");
    const csv = await page.request.get(`${dash}${csvHref}`);
    expect(csv.headers()["content-type"]).toContain("text/csv");
    await shots("reports");
  });

  it("business hours: a bad interval is refused on its field, then saved; the AI screen keeps an embedding model; onboarding renames the workspace", async () => {
    const input = (name: string) => page.locator(`input[name="${name}"]`);
    const fieldError = (name: string) => page.locator(`[data-field-error="${name}"]`);
    await page.goto(`${dash}/settings/hours`);
    await page.getByRole("heading", { name: "Business hours" }).waitFor();
    expect(await page.locator("[data-hours-now]").textContent()).toContain("always open");
    await page.getByRole("checkbox", { name: "Use business hours" }).check();
    await page.getByRole("button", { name: "Add opening hours on Monday" }).click();
    expect(await input("weekly.mon.0.open").inputValue()).toBe("09:00");
    // Keyboard only: Tuesday's hours added with Enter on its button.
    await page.getByRole("button", { name: "Add opening hours on Tuesday" }).focus();
    await page.keyboard.press("Enter");
    await input("weekly.tue.0.open").waitFor();
    await input("weekly.mon.0.close").fill("08:00");
    await page.getByRole("button", { name: "Save", exact: true }).click();
    await expect.poll(() => fieldError("weekly.mon.0.close").textContent()).toMatch(/after the opening time/);
    expect(await input("weekly.mon.0.close").getAttribute("aria-invalid")).toBe("true");
    expect(await fieldError("weekly.mon.0.open").textContent()).toBe("");
    expect(await fieldError("weekly.tue.0.close").textContent()).toBe("");
    await shots("settings-hours-errors");

    await input("weekly.mon.0.close").fill("17:30");
    await page.getByRole("button", { name: "Add a closed date" }).click();
    await input("closedDates.0").fill("2026-12-25");
    await page.getByRole("button", { name: "Save", exact: true }).click();
    await expect.poll(() => page.locator("[data-hours-saved]").textContent()).toBe("Saved.");
    const saved = await apiGet("/v1/settings/business-hours");
    expect(saved).toMatchObject({
      enabled: true,
      weekly: { mon: [{ open: "09:00", close: "17:30" }], tue: [{ open: "09:00", close: "17:00" }] },
      closedDates: ["2026-12-25"],
    });
    await page.reload();
    expect(await input("weekly.mon.0.close").inputValue()).toBe("17:30");
    expect(await input("closedDates.0").inputValue()).toBe("2026-12-25");
    await shots("settings-hours");
    // Switched off again: the other tests' conversations are not out of hours.
    await page.getByRole("checkbox", { name: "Use business hours" }).uncheck();
    await page.getByRole("button", { name: "Save", exact: true }).click();
    await expect.poll(() => page.locator("[data-hours-now]").textContent()).toContain("always open");

    // AI provider: the embedding model is saved and shown again; then back to offline.
    await page.goto(`${dash}/settings/ai`);
    await page.check("input[value=openai]");
    await page.fill("#field-baseUrl", "http://127.0.0.1:9/v1");
    await page.fill("#field-model", "gpt-test");
    await page.fill("#field-embeddingModel", "text-embedding-test");
    await page.fill("#field-apiKey", "sk-test");
    await page.getByRole("button", { name: "Save", exact: true }).click();
    await expect.poll(() => page.locator("[data-ai-test]").textContent()).toBe("Saved.");
    await page.reload();
    expect(await page.inputValue("#field-embeddingModel")).toBe("text-embedding-test");
    expect((await apiGet("/v1/ai/settings")).embeddingModel).toBe("text-embedding-test");
    // Workers AI: offered with its default models; this local stack has no AI binding, and says so.
    await page.check("input[value=workers-ai]");
    expect(await page.inputValue("#field-wai-model")).toMatch(/^@cf\//);
    await page.getByText("This deployment has no Workers AI binding").waitFor();
    await page.getByRole("button", { name: "Save", exact: true }).click();
    await expect.poll(() => page.locator(".inline-error").first().textContent()).toMatch(/not bound/);
    expect((await apiGet("/v1/ai/settings")).provider).toBe("openai");
    await shots("settings-ai-workers");
    await page.check("input[value=offline]");
    await page.getByRole("button", { name: "Save", exact: true }).click();
    await expect.poll(async () => (await apiGet("/v1/ai/settings")).provider).toBe("offline");

    // Onboarding's company step renames the workspace; the header shows the new name.
    await page.goto(`${dash}/onboarding`);
    await page.getByLabel("Company name").fill("   ");
    await page.getByRole("button", { name: "Save name" }).click();
    await expect
      .poll(() => page.locator('[data-field-error="name"]').textContent())
      .toMatch(/must not be empty/i);
    await page.getByLabel("Company name").fill("Renamed Screens Ltd");
    await page.getByRole("button", { name: "Save name" }).click();
    await expect.poll(() => page.locator(".topbar .workspace").textContent()).toBe("Renamed Screens Ltd");
    expect(await page.locator('[data-field-error="name"]').textContent()).toBe("");
    await shots("onboarding-company");
  });

  it("workspace settings: time zone and language are chosen from lists and saved", async () => {
    await page.goto(`${dash}/settings/workspace`);
    await page.getByRole("heading", { name: "Workspace" }).waitFor();
    await page.getByLabel("Time zone").selectOption("Europe/Berlin");
    await page.getByLabel("Language").selectOption({ label: "Deutsch" });
    await page.getByRole("button", { name: "Save" }).click();
    await page.getByText("Saved.").waitFor();
    expect(await apiGet("/v1/workspace")).toMatchObject({ timeZone: "Europe/Berlin", locale: "de" });
    // An empty name is refused on its field; nothing else changes.
    await page.getByLabel("Company name").fill("  ");
    await page.getByRole("button", { name: "Save" }).click();
    await expect.poll(() => page.locator('[data-field-error="name"]').textContent()).not.toBe("");
    expect((await apiGet("/v1/workspace")).timeZone).toBe("Europe/Berlin");
    expect(await axeViolations(page)).toEqual([]);
    await shots("settings-workspace");
    // Every screen now writes dates the workspace's way: German, in Berlin's time.
    const contact = (await apiCall("POST", "/v1/contacts", {
      name: "Lena Vogel",
      email: "lena@vogel.example",
    })) as {
      createdAt: string;
    };
    const german = new Intl.DateTimeFormat("de", {
      day: "numeric",
      month: "short",
      year: "numeric",
      timeZone: "Europe/Berlin",
    }).format(new Date(contact.createdAt));
    await page.goto(`${dash}/contacts`);
    const added = page.getByRole("row", { name: /Lena Vogel/ }).locator('[data-label="Added"]');
    await expect.poll(() => added.textContent()).toBe(german);
    expect(german).not.toBe(
      new Intl.DateTimeFormat("en-GB", {
        day: "numeric",
        month: "short",
        year: "numeric",
        timeZone: "UTC",
      }).format(new Date(contact.createdAt)),
    );
  });

  it("a viewer sees no settings link and the settings pages refuse", async () => {
    await apiCall("POST", "/v1/members/invites", { email: VIEWER, role: "viewer" });
    const { mail } = await apiGet(`/v1/dev/mailbox?to=${encodeURIComponent(VIEWER)}`);
    const token = /token=([A-Za-z0-9_-]+)/.exec((mail as { text: string }[])[0]?.text ?? "")?.[1];
    expect(token).toBeTruthy();
    const viewerContext = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const viewer = await viewerContext.newPage();
    const joined = await viewer.request.post(`${dash}/api/v1/auth/accept-invite`, {
      data: { token, password: PASSWORD, name: "Vic Viewer" },
    });
    expect(joined.status(), await joined.text()).toBe(200);
    await viewer.goto(`${dash}/`);
    await viewer.getByRole("navigation", { name: "Main" }).waitFor();
    expect(
      await viewer.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Reports" }).count(),
    ).toBe(1);
    expect(await viewer.getByRole("link", { name: "Settings" }).count()).toBe(0);
    for (const path of ["/settings", "/settings/api-keys", "/settings/ai"]) {
      const res = await viewer.goto(`${dash}${path}`);
      expect(res?.status(), path).toBe(403);
      expect(await viewer.textContent("body")).toContain("Only admins and owners can see the settings.");
      expect(await viewer.locator("[data-new-key], #field-apiKey").count()).toBe(0);
    }
    await shots("settings-viewer-refused", viewer);
    await viewerContext.close();
  });
});
