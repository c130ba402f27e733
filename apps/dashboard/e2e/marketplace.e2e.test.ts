import { spawnSync } from "node:child_process";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  axeViolations,
  hasChromium,
  launchChromium,
  NAVIGATION_TIMEOUT_MS,
  okJson,
  ROOT,
  screenshots,
  warnNoChromium,
} from "./browser.js";
import { type LocalStack, sharedStack } from "./local-stack.js";

// The marketplace as its three users live it (issue 19), in Chromium against the local stack:
// a developer makes a profile and a CLI token in the dashboard, writes a plugin with `autopilot-plugin
// init` and submits it with `autopilot-plugin publish`; platform staff approve it on the review
// screen; a workspace admin finds it, installs it with consent, and it runs on a chat event; version
// 0.2.0 asks for a new permission and does not run until the admin consents; uninstalling removes it.

if (!hasChromium) warnNoChromium("marketplace end-to-end test");

const PASSWORD = "correct-horse-battery";
const STAFF = "staff@e2e.example"; // PLATFORM_OPERATORS of the e2e stack (global-setup.ts)
const PLUGIN = `e2e-dev-${Date.now().toString(36)}/conversation-counter`;

describe.skipIf(!hasChromium)("marketplace journey in Chromium", () => {
  let stack: LocalStack;
  let browser: Browser;
  let dash = "";
  const scratch = join(ROOT, ".data", "e2e-marketplace", String(process.pid));
  const pluginDir = join(scratch, "counter");
  let token = "";
  let staff: { ctx: BrowserContext; page: Page };
  let tenant: { ctx: BrowserContext; page: Page };

  const cli = (...args: string[]) =>
    spawnSync(process.execPath, [join(ROOT, "packages", "sdk", "bin", "autopilot-plugin.mjs"), ...args], {
      encoding: "utf8",
      timeout: 180_000,
      env: { ...process.env, AUTOPILOT_DEVELOPER_TOKEN: token },
    });

  async function signedIn(
    email: string,
    company: string,
    name: string,
  ): Promise<{ ctx: BrowserContext; page: Page }> {
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await ctx.newPage();
    page.setDefaultTimeout(20_000);
    page.setDefaultNavigationTimeout(NAVIGATION_TIMEOUT_MS);
    await okJson(
      await page.request.post(`${dash}/api/v1/auth/signup`, {
        data: { name, companyName: company, email, password: PASSWORD },
      }),
    );
    return { ctx, page };
  }
  const csrfOf = async (page: Page) =>
    (await page.context().cookies(dash)).find((c) => c.name === "ap_csrf")?.value ?? "";

  beforeAll(async () => {
    stack = sharedStack();
    dash = stack.dashboardUrl;
    browser = await launchChromium();
    rmSync(scratch, { recursive: true, force: true });
  });

  afterAll(async () => {
    await browser?.close();
    rmSync(scratch, { recursive: true, force: true });
  });

  it("goes from a developer's CLI through staff review to a workspace, with consent at every step", async () => {
    // ---- The developer: profile and CLI token in the portal. ---------------------------------------
    const dev = await signedIn(`dev-${Date.now()}@e2e.example`, "Dev Studio", "Devi Developer");
    await dev.page.goto(`${dash}/developer`);
    await dev.page.getByRole("heading", { name: "Developer", exact: true }).waitFor();
    expect(await axeViolations(dev.page)).toEqual([]);
    await dev.page.getByLabel("Publisher name").fill("Devi's Plugins");
    await dev.page.getByLabel("Support email").fill("not-an-email");
    await dev.page.getByRole("button", { name: "Create profile" }).click();
    await expect.poll(() => dev.page.locator('[data-field-error="supportEmail"]').textContent()).not.toBe("");
    await dev.page.getByLabel("Support email").fill("help@devi.example");
    await dev.page.getByRole("button", { name: "Create profile" }).click();
    await dev.page.getByLabel("Token name").waitFor();
    await dev.page.getByLabel("Token name").fill("laptop");
    await dev.page.getByRole("button", { name: "Create token" }).click();
    token = (await dev.page.locator("[data-new-token]").textContent()) ?? "";
    expect(token).toMatch(/^apd_/);
    await screenshots(dev.page, "marketplace-01-developer");

    // ---- The CLI: init, then publish against the local stack. -----------------------------------
    const created = cli("init", "events", pluginDir, "--id", PLUGIN);
    expect(created.status, created.stderr).toBe(0);
    // A README is a third party's text: what it tries must not reach the page.
    writeFileSync(
      join(pluginDir, "README.md"),
      [
        "# Conversation counter",
        "Counts **conversations** and posts every tenth. [Docs](https://docs.example.com/counter)",
        '<script>window.__pwned = "script"</script>',
        '<img src="x" onerror="window.__pwned = \'img\'">',
        "[Click me](javascript:window.__pwned='link')",
        "![tracker](https://tracker.example.com/pixel.png)",
      ].join("\n\n"),
    );
    const published = cli("publish", pluginDir, "--api", stack.apiUrl, "--category", "notifications");
    expect(published.status, `${published.stdout}\n${published.stderr}`).toBe(0);
    expect(published.stdout).toContain(`${PLUGIN}@0.1.0: in review by platform staff`);
    expect(published.stdout).toMatch(/✓ Its packed checks pass in the sandbox: 1 of 1 passed/);
    const status = cli("status", pluginDir, "--api", stack.apiUrl);
    expect(status.stdout).toContain("in review");

    // ---- Platform staff: approve on the review screen. -----------------------------------------
    staff = await signedIn(STAFF, "Platform", "Sam Staff");
    const mail = await okJson(await staff.page.request.get(`${dash}/api/v1/mail`));
    const verifyToken = /token=([A-Za-z0-9_-]+)/.exec(
      (mail.mail as { text: string }[]).find((m) => m.text.includes("verify-email"))?.text ?? "",
    )?.[1];
    await okJson(
      await staff.page.request.post(`${dash}/api/v1/auth/verify-email`, {
        data: { token: verifyToken },
        headers: { "x-csrf-token": await csrfOf(staff.page) },
      }),
    );
    await staff.page.goto(`${dash}/operator`);
    const review = staff.page.locator(`[data-review="${PLUGIN}@0.1.0"]`);
    await review.waitFor();
    expect(await review.locator(".check-failed").count()).toBe(0);
    expect(await axeViolations(staff.page)).toEqual([]);
    await screenshots(staff.page, "marketplace-02-review");
    await review.getByRole("button", { name: /Approve/ }).click();
    await staff.page.getByText(`${PLUGIN}@0.1.0 is published.`).waitFor();
    // Someone who is not staff gets no review screen.
    const notStaff = await dev.page.goto(`${dash}/operator`);
    expect(notStaff?.status()).toBe(403);

    // ---- A workspace admin: find it, install it with consent. -----------------------------------
    tenant = await signedIn(`admin-${Date.now()}@e2e.example`, "Buyer Co", "Bea Buyer");
    await tenant.page.goto(`${dash}/marketplace`);
    await tenant.page.getByRole("searchbox", { name: "Search" }).fill("conversations");
    await tenant.page.getByRole("button", { name: "Search" }).click();
    await tenant.page.locator(`[data-listing="${PLUGIN}"]`).waitFor();
    expect(await axeViolations(tenant.page)).toEqual([]);
    await screenshots(tenant.page, "marketplace-03-browse");
    await tenant.page.locator(`[data-listing="${PLUGIN}"] a`).click();
    await tenant.page.getByRole("heading", { name: "What it asks for" }).waitFor();
    expect(await tenant.page.locator("[data-consent] li").allTextContents()).toEqual([
      "Be told about events (new leads, messages, deals…) (events:subscribe)",
      "Keep its own small data store (storage)",
      "Connect to hooks.example.com",
    ]);
    const readme = tenant.page.locator("[data-readme]");
    await readme.getByRole("link", { name: "Docs" }).waitFor();
    expect(await readme.locator("strong").textContent()).toBe("conversations");
    expect(await readme.locator("script, img, [onerror]").count()).toBe(0);
    expect(await readme.locator('a[href^="javascript"]').count()).toBe(0);
    await readme.getByText("Click me").click();
    expect(
      await tenant.page.evaluate(() => (window as unknown as { __pwned?: string }).__pwned),
    ).toBeUndefined();
    expect(await axeViolations(tenant.page)).toEqual([]);
    await screenshots(tenant.page, "marketplace-04-plugin");
    await tenant.page.getByLabel("Webhook URL").fill("https://hooks.example.com/in");
    await tenant.page.getByRole("button", { name: "Install" }).click();
    await expect
      .poll(() => tenant.page.locator('[data-field-error="consent"]').textContent())
      .toMatch(/Tick/);
    await tenant.page.getByLabel("Webhook URL").fill("https://hooks.example.com/in");
    await tenant.page.getByLabel(/I grant/).check();
    await tenant.page.getByRole("button", { name: "Install" }).click();
    await tenant.page.locator("[data-installed]").waitFor();

    // ---- It runs on a chat event. ---------------------------------------------------------------
    const csrf = await csrfOf(tenant.page);
    const key = await okJson(
      await tenant.page.request.post(`${dash}/api/v1/widget-keys`, {
        data: { settings: {} },
        headers: { "x-csrf-token": csrf },
      }),
    );
    const visitor = await (
      await fetch(`${stack.apiUrl}/v1/widget/session`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ publicKey: key.publicKey }),
      })
    ).json();
    const started = await fetch(`${stack.apiUrl}/v1/widget/conversations`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${visitor.token}` },
      body: JSON.stringify({ channel: "web" }),
    });
    expect(started.status).toBeLessThan(300);
    const installs = (await okJson(await tenant.page.request.get(`${dash}/api/v1/plugins/installs`)))
      .installs;
    const installId = installs.find((i: { pluginId: string }) => i.pluginId === PLUGIN).id as string;
    const calls = async () =>
      (await okJson(await tenant.page.request.get(`${dash}/api/v1/plugins/installs/${installId}/calls`)))
        .calls as {
        name: string;
        ok: boolean;
      }[];
    await expect
      .poll(async () => (await calls()).some((c) => c.name === "conversation.started" && c.ok), {
        timeout: 90_000,
      })
      .toBe(true);

    // ---- 0.2.0 asks for more: it does not run until the admin consents. -------------------------
    const source = join(pluginDir, "src", "index.ts");
    writeFileSync(
      source,
      readFileSync(source, "utf8")
        .replace('version: "0.1.0"', 'version: "0.2.0"')
        .replace(
          'permissions: ["events:subscribe", "storage"]',
          'permissions: ["events:subscribe", "storage", "contacts:read"]',
        ),
    );
    writeFileSync(
      join(pluginDir, "CHANGELOG.md"),
      "# Changelog\n\n## 0.2.0\n\nNames the contact.\n\n## 0.1.0\n\nFirst release.\n",
    );
    const second = cli("publish", pluginDir, "--api", stack.apiUrl);
    expect(second.status, `${second.stdout}\n${second.stderr}`).toBe(0);
    await staff.page.goto(`${dash}/operator`);
    await staff.page
      .locator(`[data-review="${PLUGIN}@0.2.0"]`)
      .getByRole("button", { name: /Approve/ })
      .click();
    await staff.page.getByText(`${PLUGIN}@0.2.0 is published.`).waitFor();

    await tenant.page.goto(`${dash}/settings/plugins?install=${installId}`);
    const upgrade = tenant.page.locator('[data-upgrade="0.2.0"]');
    await upgrade.waitFor();
    expect(await tenant.page.locator("[data-permission-diff] li").allTextContents()).toEqual([
      "New permission: contacts:read",
    ]);
    await upgrade.getByText("Names the contact.").waitFor();
    expect(await axeViolations(tenant.page)).toEqual([]);
    await screenshots(tenant.page, "marketplace-05-upgrade");
    await upgrade.getByRole("button", { name: "Upgrade to 0.2.0" }).click();
    await expect
      .poll(() => tenant.page.locator('[data-field-error="consent"]').first().textContent())
      .toMatch(/Grant/);
    const still = await okJson(await tenant.page.request.get(`${dash}/api/v1/plugins/installs/${installId}`));
    expect(still.version).toBe("0.1.0");
    await tenant.page
      .locator('[data-upgrade="0.2.0"]')
      .getByLabel(/I grant what 0.2.0 adds/)
      .check();
    await tenant.page
      .locator('[data-upgrade="0.2.0"]')
      .getByRole("button", { name: "Upgrade to 0.2.0" })
      .click();
    await tenant.page.getByText("Now running 0.2.0.").waitFor();
    const after = await okJson(await tenant.page.request.get(`${dash}/api/v1/plugins/installs/${installId}`));
    expect(after.permissions.map((p: { permission: string }) => p.permission)).toContain("contacts:read");

    // ---- The developer sees installs and review status, never the workspace. -------------------
    await dev.page.goto(`${dash}/developer`);
    const mine = dev.page.locator(`[data-dev-plugin="${PLUGIN}"]`);
    await mine.waitFor();
    expect(await mine.getAttribute("data-installs")).toBe("1");
    // The second publish named no category: the listing keeps the first one's.
    await mine.getByText("notifications · 1 install").waitFor();
    expect(await mine.locator('[data-status="published"]').count()).toBe(2);
    await screenshots(dev.page, "marketplace-06-portal");
    expect(await dev.page.content()).not.toContain("Buyer Co");
    expect(await axeViolations(dev.page)).toEqual([]);

    // ---- Uninstall removes it. ---------------------------------------------------------------------
    tenant.page.once("dialog", (d) => void d.accept());
    await tenant.page.getByRole("button", { name: /Uninstall/ }).click();
    await expect
      .poll(async () =>
        (await tenant.page.request.get(`${dash}/api/v1/plugins/installs/${installId}`)).status(),
      )
      .toBe(404);
    await dev.ctx.close();
  });

  it("a first-party report plugin, published the same way, draws its report on the Reports screen", async () => {
    // The first-party plugin goes through the same path; staff verify its publisher.
    const publisher = await signedIn(`first-party-${Date.now()}@e2e.example`, "AutopilotCRM", "First Party");
    const csrf = { "x-csrf-token": await csrfOf(publisher.page) };
    await okJson(
      await publisher.page.request.put(`${dash}/api/v1/developer/profile`, {
        data: { name: "AutopilotCRM", supportEmail: "plugins@autopilot.example" },
        headers: csrf,
      }),
    );
    token = (
      await okJson(
        await publisher.page.request.post(`${dash}/api/v1/developer/tokens`, {
          data: { name: "ci" },
          headers: csrf,
        }),
      )
    ).token;
    const published = cli(
      "publish",
      join(ROOT, "plugins", "response-times"),
      "--api",
      stack.apiUrl,
      "--category",
      "reports",
    );
    expect(published.status, `${published.stdout}\n${published.stderr}`).toBe(0);
    await staff.page.goto(`${dash}/operator`);
    await staff.page
      .locator('[data-review="autopilot/response-times@1.0.0"]')
      .getByRole("button", { name: /Approve/ })
      .click();
    await staff.page.getByText("autopilot/response-times@1.0.0 is published.").waitFor();
    await staff.page.getByRole("button", { name: "Verify AutopilotCRM" }).click();
    await staff.page.getByRole("button", { name: "Remove AutopilotCRM's badge" }).waitFor();

    // The workspace installs it (it asks only to read report figures) and gets new leads from the API.
    await tenant.page.goto(`${dash}/marketplace?category=reports`);
    const listing = tenant.page.locator('[data-listing="autopilot/response-times"]');
    await listing.getByText("✓ Verified").waitFor();
    await listing.getByRole("link").click();
    await tenant.page.locator("#asks-title").waitFor();
    expect(await tenant.page.locator("[data-consent] li").allTextContents()).toEqual([
      "Read your reports' figures (analytics:read)",
    ]);
    await tenant.page.getByLabel(/I grant/).check();
    await tenant.page.getByRole("button", { name: "Install" }).click();
    await tenant.page.locator("[data-installed]").waitFor();
    const tenantCsrf = { "x-csrf-token": await csrfOf(tenant.page) };
    for (const name of ["Ada", "Grace", "Alan"])
      await okJson(
        await tenant.page.request.post(`${dash}/api/v1/leads`, {
          data: { contact: { name, email: `${name.toLowerCase()}@leads.example` } },
          headers: tenantCsrf,
        }),
      );

    // Reports → the plugin's report: its parameter form, then a table, a chart and CSV.
    await tenant.page.goto(`${dash}/reports`);
    await tenant.page.getByRole("link", { name: "New leads by source and month" }).click();
    await tenant.page.waitForURL(/\/reports\/plugins\//);
    await tenant.page.locator("#param-from").waitFor();
    expect(await axeViolations(tenant.page)).toEqual([]);
    const url = tenant.page.url();
    await expect
      .poll(
        async () => {
          await tenant.page.goto(url);
          await tenant.page.getByRole("button", { name: "Show report" }).click();
          await tenant.page.getByRole("heading", { name: "Result" }).waitFor();
          return tenant.page.locator('[data-plugin-report="leads_by_source"] td').allTextContents();
        },
        { timeout: 90_000, interval: 2_000 },
      )
      .toContain("3");
    expect(await tenant.page.locator("svg").count()).toBeGreaterThan(0);
    expect(await tenant.page.getByRole("link", { name: "Export CSV" }).getAttribute("href")).toMatch(
      /^data:text\/csv;charset=utf-8,month%2Capi/,
    );
    expect(await axeViolations(tenant.page)).toEqual([]);
    await screenshots(tenant.page, "marketplace-07-plugin-report");
    // A wrong parameter is named on its field, not a failure page.
    // (A date field cannot hold a wrong date; a shared URL can.)
    await tenant.page.goto(`${url.split("?")[0]}?run=1&config.from=yesterday&config.to=2026-12-01`);
    await expect
      .poll(() => tenant.page.locator('[data-field-error="config.from"]').textContent())
      .not.toBe("");
    for (const c of [publisher.ctx, staff.ctx, tenant.ctx]) await c.close();
  });
});
