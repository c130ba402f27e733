import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeHubSpot } from "../../../scripts/fakes/hubspot.js";
import { startFakePipedrive } from "../../../scripts/fakes/pipedrive.js";
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
// contacts in and sends the workspace's out; the sync status report says where it stands. Then the
// same workspace connects a fake Pipedrive: Sync now, and a person added there arriving at once
// through a v2 webhook sent, as Pipedrive does, to the URL the install's page shows; the sync's own
// screen lists a record Pipedrive refused and retries it alone.

if (!hasChromium) warnNoChromium("dashboard HubSpot sync end-to-end test");

type Remote = { properties: Record<string, string | null>; archived: boolean };

describe.skipIf(!hasChromium)("HubSpot sync in Chromium", () => {
  let browser: Browser;
  let page: Page;
  let dash = "";
  let packedFile = "";
  let hubspot: Awaited<ReturnType<typeof startFakeHubSpot>>;
  let pipedrive: Awaited<ReturnType<typeof startFakePipedrive>>;
  const token = `pat-e2e-${Date.now()}`;
  let apiKey = "";
  const hub = (path: string, body?: unknown) =>
    fetch(`${hubspot.url}${path}`, {
      method: body ? "POST" : "GET",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });

  beforeAll(async () => {
    dash = sharedStack().dashboardUrl;
    hubspot = await startFakeHubSpot();
    pipedrive = await startFakePipedrive();
    packedFile = await packedFirstParty("hubspot");
    browser = await launchChromium();
    page = await signedUpPage(browser, dash, { name: "Hana Hub", companyName: "Synced Ltd", tag: "hubspot" });
  });

  afterAll(async () => {
    await browser?.close();
    await hubspot?.close();
    await pipedrive?.close();
  });

  it("installs HubSpot, syncs contacts both ways with Sync now, and shows the status", async () => {
    await hub("/_control/contacts", { email: "hilda@hub.test", firstname: "Hilda", lastname: "Hub" });
    // A contact of the workspace, made through the API with a key the admin creates.
    await page.goto(`${dash}/settings/api-keys`);
    await page.fill("#field-name", "e2e");
    await page.getByRole("button", { name: "Create key" }).click();
    const key = (await page.locator("[data-new-key]").textContent()) ?? "";
    apiKey = key;
    const made = await fetch(`${sharedStack().apiUrl}/v1/contacts`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: JSON.stringify({ email: "liam@here.test", name: "Liam Local" }),
    });
    expect(made.status).toBe(201);
    await page.goto(`${dash}/settings/plugins`);
    await page.setInputFiles("#plugin-file", packedFile);
    await page.getByRole("button", { name: "Review permissions" }).click();
    await page.getByRole("heading", { name: /Install HubSpot sync 1\.2\.0\?/ }).waitFor();
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

  it("installs Pipedrive, syncs with Sync now, and takes a person at once through its webhook", async () => {
    const pdToken = `pd-e2e-${Date.now()}`;
    const password = "e2e-webhook-password";
    const drive = async (path: string, body?: unknown) =>
      (
        (await (
          await fetch(`${pipedrive.url}${path}`, {
            method: body ? "POST" : "GET",
            headers: { "x-api-token": pdToken, "content-type": "application/json" },
            ...(body ? { body: JSON.stringify(body) } : {}),
          })
        ).json()) as { data: unknown }
      ).data;
    await drive("/_control/persons", {
      name: "Pia Drive",
      emails: [{ value: "pia@pd.test", primary: true }],
    });
    await page.goto(`${dash}/settings/plugins`);
    await page.setInputFiles("#plugin-file", await packedFirstParty("pipedrive"));
    await page.getByRole("button", { name: "Review permissions" }).click();
    await page.getByRole("heading", { name: /Install Pipedrive sync 1\.1\.0\?/ }).waitFor();
    await page.fill("#new-apiToken", pdToken);
    await page.fill("#new-webhookPassword", password);
    await page.fill("#new-apiBaseUrl", pipedrive.url);
    await page.check('input[name="consent"]');
    expect(await axeViolations(page)).toEqual([]);
    await page.getByRole("button", { name: "Install", exact: true }).click();
    await page.getByText("Pipedrive sync is installed.").waitFor();
    await page.getByRole("link", { name: "Pipedrive sync" }).click();
    // Its own page (HubSpot's was open before): the hosts it may reach.
    await page.getByText("*.pipedrive.com").first().waitFor();

    await page.getByRole("button", { name: "Sync now" }).click();
    const result = page.locator('[data-action-result="sync_now"]');
    await result.waitFor();
    // Pia comes in; the workspace's three contacts (Hilda, Liam, and Hana's own) go out.
    const out = JSON.parse((await result.textContent()) ?? "{}") as { pulled: number; pushed: number };
    expect(out, JSON.stringify(out)).toMatchObject({ pulled: 1, failed: 0 });
    expect(out.pushed).toBeGreaterThanOrEqual(2);
    type Person = { emails: { value: string }[]; is_deleted: boolean };
    const emails = ((await drive("/_control/persons")) as Person[]).map((p) => p.emails[0]?.value);
    expect(emails).toEqual(expect.arrayContaining(["pia@pd.test", "hilda@hub.test", "liam@here.test"]));
    await screenshots(page, "settings-plugins-pipedrive");

    // A person added in Pipedrive arrives at once: Pipedrive posts its v2 webhook to the URL shown.
    const hookUrl = (await page.locator('[data-webhook="events"]').textContent()) ?? "";
    const quinn = (await drive("/_control/persons", {
      name: "Quinn Hook",
      emails: [{ value: "quinn@pd.test", primary: true }],
    })) as { id: number };
    const webhook = await fetch(hookUrl, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        authorization: `Basic ${btoa(`pipedrive:${password}`)}`,
      },
      body: JSON.stringify({
        meta: { action: "create", entity: "person", entity_id: String(quinn.id), version: "2.0", attempt: 1 },
        data: { id: quinn.id, name: "Quinn Hook" },
        previous: null,
      }),
    });
    expect(webhook.status).toBe(200);
    await page.goto(`${dash}/contacts`);
    await page.getByText("quinn@pd.test").first().waitFor();
    expect(await axeViolations(page)).toEqual([]);

    // The sync's own screen: a deal Pipedrive refuses (it asks new deals for a close date) is listed
    // with the reason, then retried alone once Pipedrive no longer asks.
    await drive("/_control/required", { deals: ["expected_close_date"] });
    const deal = await fetch(`${sharedStack().apiUrl}/v1/deals`, {
      method: "POST",
      headers: { authorization: `Bearer ${apiKey}`, "content-type": "application/json" },
      body: JSON.stringify({ title: "Rejected Renewal", amount: 300 }),
    });
    expect(deal.status).toBe(201);
    await page.goto(`${dash}/settings/plugins`);
    await page.getByRole("link", { name: "Pipedrive sync" }).click();
    await page.getByText("*.pipedrive.com").first().waitFor();
    await page.getByRole("link", { name: "Sync status and failed records" }).click();
    await page.getByRole("heading", { name: "Pipedrive sync: sync" }).waitFor();
    await page.getByRole("button", { name: "Sync now" }).click();
    await page.getByText(/Synced: .* 1 failed/).waitFor();
    const failedRow = page.locator("[data-failed-record]").filter({ hasText: "Rejected Renewal" });
    await failedRow.getByText(/expected_close_date/).waitFor();
    expect(await axeViolations(page)).toEqual([]);
    await screenshots(page, "settings-plugin-sync");
    await drive("/_control/required", {});
    // Keyboard: the row's Retry button is reached and pressed without a mouse.
    await failedRow.getByRole("button", { name: /Retry .*Rejected Renewal/ }).focus();
    await page.keyboard.press("Enter");
    await page.getByText("Retried 1: 1 went through, 0 failed again.").waitFor();
    await page.getByText("No record failed.").waitFor();
    type Deal = { title: string; value: number };
    expect(((await drive("/_control/deals")) as Deal[]).map((d) => [d.title, d.value])).toEqual([
      ["Rejected Renewal", 300],
    ]);
    expect(await page.locator('[data-sync-kind="deal"] td').allTextContents()).toEqual(["0", "1", "0"]);
    expect(await axeViolations(page)).toEqual([]);
  });
});
