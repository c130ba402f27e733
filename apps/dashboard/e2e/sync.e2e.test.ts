import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeHubSpot } from "../../../scripts/fakes/hubspot.js";
import {
  axeViolations,
  hasChromium,
  launchChromium,
  packedFirstParty,
  screenshots,
  signedUpPage,
  warnNoChromium,
} from "./browser.js";
import { sharedStack } from "./local-stack.js";

// HubSpot sync in Chromium (issue 21): an admin installs the first-party HubSpot plugin from its packed
// file with a private-app token, pointed at a local fake of HubSpot's API; "Sync now" brings HubSpot's
// contacts in and sends the workspace's out; the sync status report says where it stands.

if (!hasChromium) warnNoChromium("dashboard HubSpot sync end-to-end test");

type Remote = { properties: Record<string, string | null>; archived: boolean };

describe.skipIf(!hasChromium)("HubSpot sync in Chromium", () => {
  let browser: Browser;
  let page: Page;
  let dash = "";
  let packedFile = "";
  let hubspot: Awaited<ReturnType<typeof startFakeHubSpot>>;
  const token = `pat-e2e-${Date.now()}`;
  const hub = (path: string, body?: unknown) =>
    fetch(`${hubspot.url}${path}`, {
      method: body ? "POST" : "GET",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });

  beforeAll(async () => {
    dash = sharedStack().dashboardUrl;
    hubspot = await startFakeHubSpot();
    packedFile = await packedFirstParty("hubspot");
    browser = await launchChromium();
    page = await signedUpPage(browser, dash, { name: "Hana Hub", companyName: "Synced Ltd", tag: "hubspot" });
  });

  afterAll(async () => {
    await browser?.close();
    await hubspot?.close();
  });

  it("installs HubSpot, syncs contacts both ways with Sync now, and shows the status", async () => {
    await hub("/_control/contacts", { email: "hilda@hub.test", firstname: "Hilda", lastname: "Hub" });
    // A contact of the workspace, made through the API with a key the admin creates.
    await page.goto(`${dash}/settings/api-keys`);
    await page.fill("#field-name", "e2e");
    await page.getByRole("button", { name: "Create key" }).click();
    const key = (await page.locator("[data-new-key]").textContent()) ?? "";
    const made = await fetch(`${sharedStack().apiUrl}/v1/contacts`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: JSON.stringify({ email: "liam@here.test", name: "Liam Local" }),
    });
    expect(made.status).toBe(201);
    await page.goto(`${dash}/settings/plugins`);
    await page.setInputFiles("#plugin-file", packedFile);
    await page.getByRole("button", { name: "Review permissions" }).click();
    await page.getByRole("heading", { name: /Install HubSpot sync 1\.1\.0\?/ }).waitFor();
    await page.fill("#new-accessToken", token);
    await page.fill("#new-apiBaseUrl", hubspot.url);
    await page.check('input[name="consent"]');
    expect(await axeViolations(page)).toEqual([]);
    await page.getByRole("button", { name: "Install" }).click();
    await page.getByText("HubSpot sync is installed.").waitFor();
    await page.getByRole("link", { name: "HubSpot sync" }).click();

    await page.getByRole("button", { name: "Sync now" }).click();
    const result = page.locator('[data-action-result="sync_now"]');
    await result.waitFor();
    expect(JSON.parse((await result.textContent()) ?? "{}")).toMatchObject({
      pulled: 1,
      pushed: 1,
      failed: 0,
    });
    expect(await axeViolations(page)).toEqual([]);
    await screenshots(page, "settings-plugins-hubspot");

    // Hilda is a contact here now, and Liam went to HubSpot.
    await page.goto(`${dash}/contacts`);
    await page.getByText("hilda@hub.test").first().waitFor();
    const remote = ((await (await hub("/_control/contacts")).json()) as Remote[]).filter((c) => !c.archived);
    expect(remote.map((c) => c.properties.email).sort()).toEqual(["hilda@hub.test", "liam@here.test"]);

    // The sync's report on the Reports screen.
    await page.goto(`${dash}/reports`);
    await page.getByRole("link", { name: "HubSpot sync" }).first().click();
    await page.getByText("Up to date").waitFor();
    expect(await axeViolations(page)).toEqual([]);
  });
});
